//
// HttpConnection.h
//
// The state of one HTTP connection. Owned and touched only by its event
// loop's thread. Kept small: an idle keep-alive connection has empty buffers
// and no heap allocation besides this object and its peer address.
//

#ifndef Palaver_Server_HttpConnection_INCLUDED
#define Palaver_Server_HttpConnection_INCLUDED

#include "HttpAnswer.h"
#include "HttpExchange.h"
#include "HttpParser.h"
#include "WebSocketState.h"
#include <Poco/Net/SocketAddress.h>
#include <Poco/Types.h>
#include <cstdint>
#include <memory>
#include <string>

namespace Palaver {
namespace Server {

class WebSocketEndpointImpl;

struct HttpConnection
{
	enum class State: std::uint8_t
	{
		Reading,     /// waiting for (the rest of) a request
		Dispatched,  /// a complete request (or the next part of a streamed answer or body) is with a worker; input paused
		ReceivingBody,  /// a streamed body's receiver waits for the next part (receiver)
		Writing,     /// the answer is being written; input paused
		Lingering,   /// answered with Connection: close and half-closed; draining until the peer's end
		WebSocket,   /// upgraded: frames both ways (webSocket)
		WebSocketClosing,  /// our close frame is queued: waiting for the peer's, or the close time-out
		Dead         /// to be destroyed at the end of the loop iteration
	};

	HttpConnection(int fd, std::uint64_t id, const Poco::Net::SocketAddress& peer, WebSocketEndpointImpl* listenerEndpoint):
		fd(fd), id(id), peer(peer), listenerEndpoint(listenerEndpoint) {}

	int fd;
	std::uint64_t id;
	Poco::Net::SocketAddress peer;
	WebSocketEndpointImpl* listenerEndpoint;  /// accepted on a WebSocket endpoint's own listener (else null)
	State state = State::Reading;
	std::uint32_t events = 0;          /// epoll interest registered now
	bool requestStarted = false;       /// a byte of the next request has arrived
	bool peerGone = false;             /// an error or hang-up while dispatched
	bool closeAfterWrite = false;
	Poco::Int64 deadline = 0;          /// steady ms: what the state waits for must happen by then

	std::string in;                    /// unconsumed input: a partial request (and pipelined ones)
	HttpParser::Scan scan;             /// how far the head in `in` was scanned
	std::shared_ptr<HttpExchange> exchange;  /// the request whose head is read, while its body arrives
	std::shared_ptr<HttpExchange> dispatched;  /// the request with a worker (or deferred), until answered
	std::size_t headSize = 0;
	std::size_t bodyLength = 0;

	std::string out;                   /// the answer being written, from outOffset on
	std::size_t outOffset = 0;
	std::shared_ptr<BodyStream> stream;  /// the answer's streamed body, until its last part is made

	std::shared_ptr<BodyReceiver> receiver;  /// a streamed request body's receiver, until its last part is given
	std::size_t bodyRemaining = 0;     /// bytes of that body not yet given to it
	Poco::Int64 bodyDeadline = 0;      /// steady ms: the whole body must have arrived by then

	std::unique_ptr<WebSocketState> webSocket;  /// once upgraded
};

} } // namespace Palaver::Server

#endif
