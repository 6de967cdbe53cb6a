//
// HttpExchange.h
//

#ifndef Palaver_Server_HttpExchange_INCLUDED
#define Palaver_Server_HttpExchange_INCLUDED

#include "RouterImpl.h"
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/SocketAddress.h>
#include <cstdint>
#include <string>

namespace Palaver {
namespace Server {

class EventLoop;

/// One complete request (head and body) on its way from a connection's loop
/// to a worker, and where its answer goes back.
struct HttpExchange
{
	Poco::Net::HTTPRequest request;
	std::string body;
	RouterImpl::Match match;          /// found on the loop (it bounds the body)
	Poco::Net::SocketAddress client;
	int socket = -1;                  /// lent for Request::detachSocket()
	bool keepAlive = true;
	EventLoop* loop = nullptr;
	std::uint64_t connection = 0;
};

} } // namespace Palaver::Server

#endif
