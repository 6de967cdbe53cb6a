//
// WebSocket.h
//

#ifndef Palaver_WebSocket_INCLUDED
#define Palaver_WebSocket_INCLUDED

#include "palaver/WebSocketFrame.h"
#include <Poco/Net/SocketAddress.h>
#include <Poco/Types.h>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace Palaver {

/// One WebSocket connection, as the core hands it to a WebSocketHandler: a
/// handle that any thread may keep and use. The connection itself belongs to
/// one of the core's I/O threads; what a handle asks from another thread is
/// queued to it and never blocks.
///
/// Threads: send(), close(), post(), userId(), session() and id() from any
/// thread. setUser() in WebSocketHandler::accept() or on the connection's
/// I/O thread (a callback or a post()ed task). The context (setContext(),
/// context()) belongs to the handler: set it in accept() and use it in the
/// callbacks and post()ed tasks, which all run on the connection's I/O
/// thread, one at a time.
///
/// A handle may be kept and used until the plugin's stop() returns (the
/// core's loops have stopped by then: what is sent is dropped); not after.
class WebSocket
{
public:
	using Ptr = std::shared_ptr<WebSocket>;
	using Task = std::function<void(WebSocket&)>;

	virtual ~WebSocket() = default;

	/// Unique among this palaverd's connections.
	virtual std::uint64_t id() const = 0;

	/// The peer's address (the proxy's, behind a proxy).
	virtual const Poco::Net::SocketAddress& peer() const = 0;

	/// Queues a frame; the connection's I/O thread writes it. Frames are
	/// written in the order they were sent from one thread. Dropped when the
	/// connection is not open (before WebSocketHandler::onOpen(), once it
	/// closes). A connection whose unsent output would grow beyond the
	/// endpoint's maxPending is closed with 1013 ("slow reader").
	virtual void send(const WebSocketFrame::Ptr& frame) = 0;

	/// send(WebSocketFrame::text(text)).
	void sendText(const std::string& text) { send(WebSocketFrame::text(text)); }

	/// Starts the closing handshake with code and reason (a close frame after
	/// what is queued); the connection ends when the peer answers or after
	/// the endpoint's close time-out. Nothing is sent after it.
	virtual void close(std::uint16_t code, const std::string& reason = "") = 0;

	/// Runs task on the connection's I/O thread, after what was queued
	/// before, if the connection is still open then (dropped otherwise). For
	/// a worker's result (e.g. a database read) that the connection needs.
	virtual void post(Task task) = 0;

	/// Who is on this connection: the endpoint's pushToUser() and
	/// closeSession() reach it from now on. userId 0: nobody (yet).
	virtual void setUser(Poco::Int64 userId, const std::string& session) = 0;
	virtual Poco::Int64 userId() const = 0;
	virtual std::string session() const = 0;

	/// The handler's own state for this connection (see the class comment for its thread).
	void setContext(std::shared_ptr<void> context) { _context = std::move(context); }
	template <class T>
	std::shared_ptr<T> context() const { return std::static_pointer_cast<T>(_context); }

private:
	std::shared_ptr<void> _context;
};

} // namespace Palaver

#endif
