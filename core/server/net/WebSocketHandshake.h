//
// WebSocketHandshake.h
//
// The HTTP side of a WebSocket connection: parsing the upgrade request that
// arrives on the ws port, checking it (for both ports), and the answers.
//

#ifndef Palaver_Server_WebSocketHandshake_INCLUDED
#define Palaver_Server_WebSocketHandshake_INCLUDED

#include <Poco/Net/NameValueCollection.h>
#include <Poco/Types.h>
#include <string>

namespace Palaver {

class OriginPolicy;

namespace Server {

/// An HTTP request head as read from the socket.
struct HttpHead
{
	std::string method;
	std::string target;   /// path and query as sent
	std::string version;  /// "HTTP/1.1"
	Poco::Net::NameValueCollection headers;  /// case-insensitive names
};

/// What a checked upgrade request asks for (the credentials: the ws
/// plugin's, see Handshake::readCredentials).
struct HandshakeResult
{
	int status = 400;          /// 101 when the upgrade is accepted
	std::string code;          /// error code of a refusal ("bad_request", "forbidden", ...)
	std::string message;       /// error message of a refusal
	std::string acceptKey;     /// Sec-WebSocket-Accept
	std::string token;         /// from ?token, Authorization: Bearer (explicit)
	std::string ticket;        /// from ?ticket (POST /ws/ticket): single use, stands for a token
	std::string cookieToken;   /// from the session cookie (SessionCookie::name)
	bool hasSince = false;
	Poco::Int64 since = 0;     /// ?since=ID

	bool accepted() const { return status == 101; }
};

class Handshake
{
public:
	static constexpr std::size_t MAX_HEAD = 8192;

	enum class ParseState { Incomplete, Complete, TooLarge, Malformed };

	/// Parses a request head from the front of buffer. Complete sets
	/// headSize to the bytes of the head (up to and with the empty line).
	static ParseState parse(const std::string& buffer, HttpHead& head, std::size_t& headSize, std::size_t maxHead = MAX_HEAD);

	/// Checks an upgrade request (method, target, headers) against RFC 6455
	/// and the origin policy (Host names, then Origin).
	static HandshakeResult check(const std::string& method, const std::string& target,
		const Poco::Net::NameValueCollection& headers, const OriginPolicy& origins);

	/// The chat protocol's credentials of an accepted request (PROTOCOL.md):
	/// ?token, ?ticket, ?since, Authorization: Bearer, the session cookie.
	/// A malformed target or since turns result into a 400 refusal.
	static void readCredentials(const std::string& target, const Poco::Net::NameValueCollection& headers,
		const OriginPolicy& origins, HandshakeResult& result);

	/// Sec-WebSocket-Accept for a Sec-WebSocket-Key.
	static std::string acceptKey(const std::string& key);

	/// The 101 answer.
	static std::string switchingProtocols(const std::string& acceptKey);

	/// A refusal with a PROTOCOL.md JSON error body; the connection closes after it.
	static std::string refusal(int status, const std::string& code, const std::string& message);

	/// True when the comma-separated header value lists token (case-insensitive).
	static bool hasToken(const std::string& headerValue, const std::string& token);
};

} } // namespace Palaver::Server

#endif
