//
// WebSocketImpl.h
//

#ifndef Palaver_Server_WebSocketImpl_INCLUDED
#define Palaver_Server_WebSocketImpl_INCLUDED

#include "palaver/WebSocket.h"
#include <atomic>
#include <cstdint>
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

	/// The connection's id in its loop.
	std::uint64_t connection() const { return _connection; }

	/// The loop the connection belongs to.
	EventLoop& loop() const { return _loop; }

	WebSocketEndpointImpl& endpoint() const { return _endpoint; }

	/// On the loop, once the 101 is queued: the endpoint knows the connection
	/// by its user from now on.
	void opened();

	/// On the loop, once the connection has ended: the endpoint forgets it.
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
};

} } // namespace Palaver::Server

#endif
