//
// OriginPolicy.h
//

#ifndef Palaver_OriginPolicy_INCLUDED
#define Palaver_OriginPolicy_INCLUDED

#include <Poco/Types.h>
#include <set>
#include <string>
#include <vector>

namespace Poco {
namespace Util { class AbstractConfiguration; }
}

namespace Palaver {

/// Which browser origins may act on the server with a user's cookie (CSRF and
/// cross-site WebSocket hijacking), and which Host names name the server (DNS
/// rebinding). The server's own origins, on every listener: the request's own
/// (its scheme and Host header), the HTTP listener's (http://<[http] address>:
/// <[http] port>, also with localhost for a loopback address, and with the
/// request's host name, so that a page served by the HTTP port may open the
/// ws port), and [http] public_url's; besides those, [http] allowed_origins
/// (space or comma separated, e.g. "https://chat.example.org").
class OriginPolicy
{
public:
	/// The request's own origin and allowedOrigins only; Host names: IP
	/// addresses and localhost. For tests and tools.
	explicit OriginPolicy(const std::string& allowedOrigins = "");

	/// palaverd's policy from its configuration: [http] address, port,
	/// public_url, allowed_origins and allowed_hosts (docs/CONFIGURATION.md).
	/// Throws Poco::InvalidArgumentException for a public_url that is not an
	/// absolute http or https URL.
	explicit OriginPolicy(const Poco::Util::AbstractConfiguration& config);

	/// True when origin (the Origin header's value) is the server's own for a
	/// request with this Host header, or an allowed one. An absent (empty)
	/// Origin is a non-browser client and is allowed.
	bool allows(const std::string& origin, const std::string& host) const;

	/// True when the Host header names this server: absent (a non-browser
	/// client), an IP address, localhost, the HTTP listener's or the public
	/// URL's host name, or one of [http] allowed_hosts ("*": any name). A
	/// browser tricked by DNS rebinding sends the attacker's host name.
	bool allowsHost(const std::string& host) const;

	/// The host name of a Host header's value: without the port, IPv6
	/// brackets, a trailing dot, in lower case ("[::1]:80" -> "::1").
	static std::string hostName(const std::string& host);

	/// [http] public_url's origin ("https://chat.example.org"), or "".
	const std::string& publicOrigin() const { return _publicOrigin; }

	const std::vector<std::string>& allowed() const { return _allowed; }

private:
	void addAllowed(const std::string& origins);

	std::vector<std::string> _allowed;
	std::set<std::string> _hosts;
	bool _anyHost = false;
	Poco::UInt16 _httpPort = 0;
	std::string _publicOrigin;
};

} // namespace Palaver

#endif
