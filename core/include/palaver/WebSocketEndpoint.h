//
// WebSocketEndpoint.h
//

#ifndef Palaver_WebSocketEndpoint_INCLUDED
#define Palaver_WebSocketEndpoint_INCLUDED

#include "palaver/WebSocket.h"
#include "palaver/WebSocketFrame.h"
#include <Poco/Net/SocketAddress.h>
#include <Poco/Types.h>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace Palaver {

/// A WebSocket endpoint the core serves for a plugin's WebSocketHandler:
/// made by the WebSockets service (palaver/services/WebSockets.h), reached
/// through paths of the HTTP port (mount()) and listeners of its own
/// (listen()). It knows its open connections by user and session.
///
/// Threads: mount() and listen() in Plugin::initialize() or start() (before
/// palaverd serves); everything else from any thread, never blocking.
class WebSocketEndpoint
{
public:
	struct Options
	{
		std::size_t maxMessage = 65536;     /// largest client message (bytes): larger closes with 1009
		std::size_t maxPending = 1048576;   /// unsent output per connection (bytes): more closes with 1013
		Poco::Int64 pingIntervalMs = 30000; /// a ping after this long; two unanswered close with 1001
		Poco::Int64 handshakeTimeoutMs = 10000;  /// the upgrade request on a listener of its own
		Poco::Int64 closeTimeoutMs = 2000;  /// the peer's answer to our close frame
		std::size_t maxConnections = 0;     /// open connections of this endpoint, 0: no limit (beyond: 503)
		int sendBuffer = 0;                 /// SO_SNDBUF of its upgraded sockets (bytes), 0: the kernel's default (API 3.0)
	};

	virtual ~WebSocketEndpoint() = default;

	/// Serves upgrades of GET path on the HTTP port. Throws
	/// Poco::ExistsException when a route or endpoint has the path.
	virtual void mount(const std::string& path) = 0;

	/// Serves upgrades of any path on a listener of its own; returns the
	/// port it is bound to (address's port 0: any free one). Throws
	/// Poco::IOException when the address cannot be bound.
	virtual Poco::UInt16 listen(const Poco::Net::SocketAddress& address) = 0;

	/// Queues frame on every open connection of the user.
	virtual void pushToUser(Poco::Int64 userId, const WebSocketFrame::Ptr& frame) = 0;

	/// Queues frame on every open connection that has a user.
	virtual void broadcast(const WebSocketFrame::Ptr& frame) = 0;

	/// Closes every open connection of the session (WebSocket::setUser) with
	/// code and reason, e.g. 4001 "session ended" on "session.ended".
	virtual void closeSession(const std::string& session, std::uint16_t code, const std::string& reason) = 0;

	/// Open connections of the user.
	virtual std::size_t connectionCount(Poco::Int64 userId) const = 0;

	/// Queues frame on each of sockets (this endpoint's connections), as
	/// WebSocket::send() on each would, but handed to each I/O thread once
	/// for all of its connections: for a frame that goes to many, e.g. a
	/// group message (API 4.1).
	virtual void sendToEach(const std::vector<WebSocket::Ptr>& sockets, const WebSocketFrame::Ptr& frame)
	{
		for (const WebSocket::Ptr& socket: sockets) socket->send(frame);
	}
};

} // namespace Palaver

#endif
