//
// WebSocketImpl.h
//

#ifndef Palaver_Server_WebSocketImpl_INCLUDED
#define Palaver_Server_WebSocketImpl_INCLUDED

#include "palaver/WebSocket.h"
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace Palaver {
namespace Server {

class EventLoop;
class WebSocketEndpointImpl;

/// The handle of one WebSocket connection (see palaver/WebSocket.h): what a
/// handle asks is queued to the connection's event loop (EventLoop::sendFrame,
/// closeWebSocket, postTask), which knows the connection by its loop id.
/// While its endpoint's plugin is reloaded, the text messages that arrive
/// are held here (hold(), takeHeld(): on the loop's thread only).
class WebSocketImpl: public WebSocket, public std::enable_shared_from_this<WebSocketImpl>
{
public:
	WebSocketImpl(EventLoop& loop, std::uint64_t connection, const Poco::Net::SocketAddress& peer,
		WebSocketEndpointImpl& endpoint);

	std::uint64_t id() const override { return _id; }
	const Poco::Net::SocketAddress& peer() const override { return _peer; }
	void send(const WebSocketFrame::Ptr& frame) override;
	void close(std::uint16_t code, const std::string& reason) override;
	void post(Task task) override;
	void setUser(Poco::Int64 userId, const std::string& session) override;
	Poco::Int64 userId() const override;
	std::string session() const override;

	/// Runs task on the loop's thread after what was queued before, whatever
	/// the state of the connection (even once it has ended): for the core
	/// (dropping a plugin's context before its library is unloaded).
	void postBarrier(std::function<void()> task);

	/// On the loop: keeps text for the handler of the plugin's next version;
	/// false when what is held would exceed bound bytes (nothing kept then).
	bool hold(std::string text, std::size_t bound);

	/// On the loop: the oldest held message; false when none is held, and
	/// the connection goes back to its handler then.
	bool nextHeld(std::string& text);

	/// On the loop: text messages are held from now on.
	void startHolding() { _holding = true; }

	/// On the loop: whether text messages are held (from the first one held
	/// until nextHeld() finds none).
	bool holding() const { return _holding; }

	/// The connection's id in its loop.
	std::uint64_t connection() const { return _connection; }

	/// The loop the connection belongs to.
	EventLoop& loop() const { return _loop; }

	WebSocketEndpointImpl& endpoint() const { return _endpoint; }

	/// On the loop, once the 101 is queued: the endpoint knows the connection
	/// by its user from now on.
	void opened();

	/// On the loop, once the connection has ended: the endpoint forgets its user.
	void closed();

private:
	static std::atomic<std::uint64_t> _nextId;

	EventLoop& _loop;
	const std::uint64_t _connection;
	const std::uint64_t _id;
	const Poco::Net::SocketAddress _peer;
	WebSocketEndpointImpl& _endpoint;
	mutable std::mutex _mutex;
	Poco::Int64 _userId = 0;       /// guarded by _mutex
	std::string _session;          /// guarded by _mutex
	bool _open = false;            /// guarded by _mutex
	std::deque<std::string> _held; /// on the loop's thread
	std::size_t _heldBytes = 0;    /// on the loop's thread
	bool _holding = false;         /// on the loop's thread
};

} } // namespace Palaver::Server

#endif
