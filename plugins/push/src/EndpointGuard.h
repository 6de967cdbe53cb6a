//
// EndpointGuard.h
//

#ifndef Palaver_Push_EndpointGuard_INCLUDED
#define Palaver_Push_EndpointGuard_INCLUDED

#include <Poco/Net/IPAddress.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/URI.h>
#include <string>

namespace Palaver {
namespace Push {

/// Where the server may send pushes. A subscription's endpoint is a URL a
/// user gave: without this check the server would POST wherever it is told,
/// inside its own network included (server-side request forgery). So
/// endpoints must be https, and every address their host resolves to must be
/// a public unicast one; the sender connects to the address checked here, so
/// that a second DNS answer cannot point the connection elsewhere (DNS
/// rebinding). allowInsecure ([push] allow_insecure_endpoints, tests only)
/// lets http and any address through. Thread-safe (no state).
class EndpointGuard
{
public:
	explicit EndpointGuard(bool allowInsecure);

	/// An endpoint's URL, checked for its form: https (or http when insecure
	/// endpoints are allowed), a host, no user info, at most MAX_LENGTH bytes,
	/// and, when the host is an IP address, a public one. Throws
	/// Poco::InvalidArgumentException with a message for the client otherwise.
	Poco::URI parse(const std::string& endpoint) const;

	/// The address to connect to for endpoint (parsed by parse()): its host
	/// resolved, every address checked (a name with one private address
	/// among public ones is refused: which one a client picks is not ours
	/// to know). Throws Poco::InvalidArgumentException for a refused address,
	/// Poco::Net::HostNotFoundException & co. when resolution fails. Blocks on DNS.
	Poco::Net::SocketAddress resolve(const Poco::URI& endpoint) const;

	/// "scheme://host[:port]" of endpoint: the JWT's audience.
	static std::string origin(const Poco::URI& endpoint);

	/// False for loopback, private (RFC 1918, ULA fc00::/7), shared
	/// (100.64/10), link-local, multicast, broadcast, unspecified,
	/// documentation, benchmarking and reserved addresses, and for IPv4
	/// addresses mapped or embedded in IPv6 (::ffff:0:0/96, 64:ff9b::/96)
	/// whose IPv4 address is any of those.
	static bool isPublic(const Poco::Net::IPAddress& address);

	static constexpr std::size_t MAX_LENGTH = 2048;

private:
	bool _allowInsecure;
};

} } // namespace Palaver::Push

#endif
