#include "EndpointGuard.h"
#include <Poco/Exception.h>
#include <Poco/Net/DNS.h>
#include <Poco/Net/HostEntry.h>
#include <Poco/Net/NetException.h>
#include <cstdint>

namespace Palaver {
namespace Push {

namespace {

struct Range
{
	const char* network;
	unsigned prefix;
};

// IPv4 ranges that are not public unicast (IANA special-purpose registry).
const Range IPV4_RESERVED[] = {
	{"0.0.0.0", 8}, {"10.0.0.0", 8}, {"100.64.0.0", 10}, {"127.0.0.0", 8}, {"169.254.0.0", 16},
	{"172.16.0.0", 12}, {"192.0.0.0", 24}, {"192.0.2.0", 24}, {"192.88.99.0", 24}, {"192.168.0.0", 16},
	{"198.18.0.0", 15}, {"198.51.100.0", 24}, {"203.0.113.0", 24}, {"224.0.0.0", 4}, {"240.0.0.0", 4}
};

// IPv6 ranges that are not public unicast; mapped IPv4 addresses are checked as IPv4.
const Range IPV6_RESERVED[] = {
	{"::", 128}, {"::1", 128}, {"100::", 64}, {"2001::", 23}, {"2001:db8::", 32}, {"2002::", 16},
	{"fc00::", 7}, {"fe80::", 10}, {"fec0::", 10}, {"ff00::", 8}
};

bool within(const Poco::Net::IPAddress& address, const Range& range)
{
	const Poco::Net::IPAddress network(range.network);
	const Poco::Net::IPAddress mask(range.prefix, network.family());
	return (address & mask) == network;
}

/// The IPv4 address in the last 4 bytes of an IPv6 address.
Poco::Net::IPAddress embeddedIPv4(const Poco::Net::IPAddress& address)
{
	const auto* bytes = reinterpret_cast<const unsigned char*>(address.addr());
	return Poco::Net::IPAddress(bytes + 12, 4);
}

} // namespace

EndpointGuard::EndpointGuard(bool allowInsecure):
	_allowInsecure(allowInsecure)
{
}

bool EndpointGuard::isPublic(const Poco::Net::IPAddress& address)
{
	if (address.family() == Poco::Net::IPAddress::IPv4)
	{
		for (const Range& range: IPV4_RESERVED)
		{
			if (within(address, range)) return false;
		}
		return true;
	}
	if (address.isIPv4Mapped() || within(address, {"64:ff9b::", 96}) || within(address, {"::", 96}))
		return isPublic(embeddedIPv4(address));
	for (const Range& range: IPV6_RESERVED)
	{
		if (within(address, range)) return false;
	}
	return true;
}

Poco::URI EndpointGuard::parse(const std::string& endpoint) const
{
	if (endpoint.empty() || endpoint.size() > MAX_LENGTH)
		throw Poco::InvalidArgumentException("endpoint must be a URL of at most " + std::to_string(MAX_LENGTH) + " bytes");
	Poco::URI uri;
	try
	{
		uri = Poco::URI(endpoint);
	}
	catch (Poco::SyntaxException&)
	{
		throw Poco::InvalidArgumentException("endpoint is no URL");
	}
	const bool https = uri.getScheme() == "https";
	if (!https && !(_allowInsecure && uri.getScheme() == "http"))
		throw Poco::InvalidArgumentException("endpoint must be an https URL");
	if (uri.getHost().empty() || !uri.getUserInfo().empty() || !uri.getFragment().empty())
		throw Poco::InvalidArgumentException("endpoint must be an https URL with a host, no user and no fragment");
	Poco::Net::IPAddress literal;
	if (!_allowInsecure && Poco::Net::IPAddress::tryParse(uri.getHost(), literal) && !isPublic(literal))
		throw Poco::InvalidArgumentException("endpoint may not name a loopback, private or link-local address");
	return uri;
}

Poco::Net::SocketAddress EndpointGuard::resolve(const Poco::URI& endpoint) const
{
	Poco::Net::IPAddress literal;
	std::vector<Poco::Net::IPAddress> addresses;
	if (Poco::Net::IPAddress::tryParse(endpoint.getHost(), literal)) addresses.push_back(literal);
	else addresses = Poco::Net::DNS::hostByName(endpoint.getHost()).addresses();
	if (addresses.empty()) throw Poco::Net::HostNotFoundException(endpoint.getHost());
	if (!_allowInsecure)
	{
		for (const auto& address: addresses)
		{
			if (!isPublic(address))
				throw Poco::InvalidArgumentException("endpoint host resolves to a non-public address", address.toString());
		}
	}
	return Poco::Net::SocketAddress(addresses.front(), endpoint.getPort());
}

std::string EndpointGuard::origin(const Poco::URI& endpoint)
{
	std::string origin = endpoint.getScheme() + "://" + endpoint.getHost();
	if (endpoint.getHost().find(':') != std::string::npos) origin = endpoint.getScheme() + "://[" + endpoint.getHost() + "]";
	const Poco::UInt16 defaultPort = endpoint.getScheme() == "https" ? 443 : 80;
	if (endpoint.getPort() != defaultPort) origin += ":" + std::to_string(endpoint.getPort());
	return origin;
}

} } // namespace Palaver::Push
