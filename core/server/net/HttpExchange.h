//
// HttpExchange.h
//

#ifndef Palaver_Server_HttpExchange_INCLUDED
#define Palaver_Server_HttpExchange_INCLUDED

#include "RouterImpl.h"
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/SocketAddress.h>
#include <cstdint>
#include <memory>
#include <string>

namespace Palaver {

class DeferredResponse;

namespace Server {

class EventLoop;
class WebSocketEndpointImpl;

/// One complete request (head and body, or only the head of a streamed
/// body) on its way from a connection's loop to a worker; the loop keeps it
/// until the request is answered.
struct HttpExchange
{
	Poco::Net::HTTPRequest request;
	std::string body;
	RouterImpl::Match match;          /// found on the loop (it bounds the body)
	Poco::Net::SocketAddress client;
	bool keepAlive = true;
	/// A route that streams its body (Router::Options::streamBody): dispatched
	/// once the head is read; true until the whole body went to its receiver.
	bool bodyPending = false;
	EventLoop* loop = nullptr;        /// the connection's loop, and its id there
	std::uint64_t connection = 0;
	WebSocketEndpointImpl* webSocket = nullptr;  /// a WebSocket endpoint's upgrade request, not a route's
	/// The handler's deferred answer: stored by the worker (std::atomic_store)
	/// once the handler returned, read by the loop (std::atomic_load) to time it out.
	std::shared_ptr<DeferredResponse> deferred;
};

} } // namespace Palaver::Server

#endif
