//
// WebSocketHandshake.h
//
// The HTTP side of a WebSocket connection: checking the upgrade request
// (HttpDispatcher::upgrade, for every endpoint) and the 101 answer.
//

#ifndef Palaver_Server_WebSocketHandshake_INCLUDED
#define Palaver_Server_WebSocketHandshake_INCLUDED

#include <Poco/Net/NameValueCollection.h>
#include <Poco/Types.h>
#include <string>

namespace Palaver {

class OriginPolicy;

namespace Server {

/// What a checked upgrade request gets: 101 and its Sec-WebSocket-Accept,
/// or a refusal.
struct HandshakeResult
{
	int status = 400;          /// 101 when the upgrade is accepted
	std::string code;          /// error code of a refusal ("bad_request", "forbidden", ...)
	std::string message;       /// error message of a refusal
	std::string acceptKey;     /// Sec-WebSocket-Accept

	bool accepted() const { return status == 101; }
};

class Handshake
{
public:
	/// Checks an upgrade request (method, headers) against RFC 6455 and the
	/// origin policy (Host names, then Origin).
	static HandshakeResult check(const std::string& method, const Poco::Net::NameValueCollection& headers,
		const OriginPolicy& origins);

	/// Sec-WebSocket-Accept for a Sec-WebSocket-Key.
	static std::string acceptKey(const std::string& key);

	/// The 101 answer.
	static std::string switchingProtocols(const std::string& acceptKey);

	/// True when the comma-separated header value lists token (case-insensitive).
	static bool hasToken(const std::string& headerValue, const std::string& token);
};

} } // namespace Palaver::Server

#endif
