//
// RequestScreen.h
//

#ifndef Palaver_Server_RequestScreen_INCLUDED
#define Palaver_Server_RequestScreen_INCLUDED

#include <Poco/Logger.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Types.h>
#include <map>
#include <mutex>
#include <string>

namespace Palaver {

class HttpError;
class OriginPolicy;

namespace Server {

/// What the HTTP listener checks of every request before the router sees it
/// (the Host header, against DNS rebinding), and how it reports requests
/// refused as malformed: one log line at most per client address per minute,
/// so that a client sending garbage cannot flood the log. Thread-safe: called
/// on the transport's workers and event loops.
class RequestScreen
{
public:
	/// Addresses remembered at most (each for a minute); past them, malformed
	/// requests from new addresses go unlogged until old entries expire.
	static constexpr std::size_t MAX_ADDRESSES = 10000;

	RequestScreen(const OriginPolicy& origins, Poco::Logger& logger);

	/// Throws HttpError 421 misdirected_request when the Host header names
	/// another server (OriginPolicy::allowsHost).
	void admit(const Poco::Net::HTTPRequest& request) const;

	/// A request answered with error: a 400 bad_request (a malformed escape,
	/// body or header) is logged with the client's address, the first per
	/// address and minute only. request is null when its head could not be read.
	void refused(const Poco::Net::HTTPRequest* request, const Poco::Net::SocketAddress& client, const HttpError& error);

private:
	bool firstThisMinute(const std::string& address, Poco::Int64 now);

	const OriginPolicy& _origins;
	Poco::Logger& _logger;
	std::mutex _mutex;
	std::map<std::string, Poco::Int64> _lastLogged;  /// address -> epoch microseconds
};

} } // namespace Palaver::Server

#endif
