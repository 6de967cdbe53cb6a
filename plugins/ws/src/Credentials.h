//
// Credentials.h
//

#ifndef Palaver_Ws_Credentials_INCLUDED
#define Palaver_Ws_Credentials_INCLUDED

#include <Poco/Types.h>
#include <string>

namespace Palaver {

class OriginPolicy;
class Request;

namespace Ws {

/// What an upgrade request of the chat protocol carries (PROTOCOL.md,
/// plugins/ws/README.md "Authentication"): ?token, ?ticket, ?since,
/// Authorization: Bearer, the session cookie.
struct Credentials
{
	std::string token;         /// from ?token, Authorization: Bearer (explicit)
	std::string ticket;        /// from ?ticket (POST /ws/ticket): single use, stands for a token
	std::string cookieToken;   /// from the session cookie (SessionCookie::name)
	bool hasSince = false;
	Poco::Int64 since = 0;     /// ?since=ID

	/// Throws HttpError 400 for a malformed query or since.
	static Credentials read(const Request& request, const OriginPolicy& origins);
};

} } // namespace Palaver::Ws

#endif
