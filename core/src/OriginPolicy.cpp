#include "palaver/OriginPolicy.h"
#include <Poco/Exception.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>
#include <Poco/URI.h>
#include <Poco/Util/AbstractConfiguration.h>
#include <algorithm>

namespace Palaver {

namespace {

const int TOKENS = Poco::StringTokenizer::TOK_IGNORE_EMPTY | Poco::StringTokenizer::TOK_TRIM;

// scheme://host[:port], the port left out when it is the scheme's default (as browsers send it).
std::string originOf(const std::string& scheme, const std::string& host, Poco::UInt16 port)
{
	const bool ipv6 = host.find(':') != std::string::npos;
	std::string origin = scheme + "://" + (ipv6 ? "[" + host + "]" : host);
	const Poco::UInt16 defaultPort = scheme == "https" ? 443 : 80;
	if (port != 0 && port != defaultPort) origin += ":" + std::to_string(port);
	return Poco::toLower(origin);
}

bool isIpAddress(const std::string& name)
{
	Poco::Net::IPAddress address;
	return Poco::Net::IPAddress::tryParse(name, address);
}

} // namespace

OriginPolicy::OriginPolicy(const std::string& allowedOrigins)
{
	addAllowed(allowedOrigins);
	_hosts.insert("localhost");
}

OriginPolicy::OriginPolicy(const Poco::Util::AbstractConfiguration& config):
	_httpPort(static_cast<Poco::UInt16>(config.getUInt("http.port", 8080)))
{
	addAllowed(config.getString("http.allowed_origins", ""));
	_hosts.insert("localhost");

	const std::string address = hostName(config.getString("http.address", "127.0.0.1"));
	Poco::Net::IPAddress ip;
	if (Poco::Net::IPAddress::tryParse(address, ip))
	{
		// A wildcard address has no origin of its own: the request's host name stands for it.
		if (!ip.isWildcard()) _allowed.push_back(originOf("http", address, _httpPort));
		if (ip.isLoopback()) _allowed.push_back(originOf("http", "localhost", _httpPort));
	}
	else if (!address.empty())
	{
		_allowed.push_back(originOf("http", address, _httpPort));
		_hosts.insert(address);
	}

	const std::string publicUrl = Poco::trim(config.getString("http.public_url", ""));
	if (!publicUrl.empty())
	{
		const Poco::URI uri(publicUrl);
		const std::string scheme = Poco::toLower(uri.getScheme());
		if ((scheme != "http" && scheme != "https") || uri.getHost().empty())
			throw Poco::InvalidArgumentException("[http] public_url must be an absolute http or https URL", publicUrl);
		_publicOrigin = originOf(scheme, Poco::toLower(uri.getHost()), uri.getPort());
		_allowed.push_back(_publicOrigin);
		_hosts.insert(hostName(uri.getHost()));
	}

	Poco::StringTokenizer hosts(config.getString("http.allowed_hosts", ""), " ,", TOKENS);
	for (const auto& host: hosts)
	{
		if (host == "*") _anyHost = true;
		else _hosts.insert(hostName(host));
	}
}

void OriginPolicy::addAllowed(const std::string& origins)
{
	Poco::StringTokenizer tokens(origins, " ,", TOKENS);
	for (const auto& origin: tokens)
		_allowed.push_back(Poco::toLower(origin));
}

bool OriginPolicy::allows(const std::string& origin, const std::string& host) const
{
	if (origin.empty()) return true;
	const std::string lowered = Poco::toLower(origin);
	const std::string lowerHost = Poco::toLower(host);
	if (!lowerHost.empty())
	{
		if (lowered == "http://" + lowerHost || lowered == "https://" + lowerHost) return true;
		// A page served by the HTTP port of the host this request names (the ws port's client).
		if (_httpPort != 0 && lowered == originOf("http", hostName(host), _httpPort)) return true;
	}
	return std::find(_allowed.begin(), _allowed.end(), lowered) != _allowed.end();
}

bool OriginPolicy::allowsHost(const std::string& host) const
{
	if (_anyHost || host.empty()) return true;
	const std::string name = hostName(host);
	return isIpAddress(name) || _hosts.count(name) > 0;
}

std::string OriginPolicy::hostName(const std::string& host)
{
	std::string name = Poco::toLower(Poco::trim(host));
	if (!name.empty() && name.front() == '[')
	{
		const auto close = name.find(']');
		name = name.substr(1, close == std::string::npos ? std::string::npos : close - 1);
	}
	else if (std::count(name.begin(), name.end(), ':') == 1)
	{
		name.erase(name.find(':'));
	}
	if (!name.empty() && name.back() == '.') name.pop_back();
	return name;
}

} // namespace Palaver
