#include "MetricsAccess.h"
#include "palaver/HttpError.h"
#include "palaver/Request.h"
#include <Poco/Exception.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>

namespace Palaver {
namespace Server {

namespace {

// Compares in time that depends on the lengths only, not on where they differ.
bool sameSecret(const std::string& a, const std::string& b)
{
	if (a.size() != b.size()) return false;
	unsigned char difference = 0;
	for (std::size_t i = 0; i < a.size(); ++i)
		difference |= static_cast<unsigned char>(a[i] ^ b[i]);
	return difference == 0;
}

} // namespace

MetricsAccess::MetricsAccess(const Poco::Util::AbstractConfiguration& config):
	_token(Poco::trim(config.getString("metrics.token", "")))
{
	Poco::StringTokenizer entries(config.getString("metrics.allowed_addresses", "127.0.0.0/8 ::1"), " ,",
		Poco::StringTokenizer::TOK_IGNORE_EMPTY | Poco::StringTokenizer::TOK_TRIM);
	for (const auto& entry: entries)
	{
		const auto slash = entry.find('/');
		Poco::Net::IPAddress address;
		if (!Poco::Net::IPAddress::tryParse(entry.substr(0, slash), address))
			throw Poco::InvalidArgumentException("[metrics] allowed_addresses: not an address or network", entry);
		unsigned prefix = address.length() * 8;
		if (slash != std::string::npos)
		{
			unsigned given = 0;
			if (!Poco::NumberParser::tryParseUnsigned(entry.substr(slash + 1), given) || given > prefix)
				throw Poco::InvalidArgumentException("[metrics] allowed_addresses: bad prefix length", entry);
			prefix = given;
		}
		_networks.emplace_back(address, prefix);
	}
}

void MetricsAccess::check(const Request& request) const
{
	if (allowsAddress(request.clientAddress().host()) || hasToken(request)) return;
	throw HttpError::forbidden("metrics are served to [metrics] allowed_addresses or with [metrics] token only");
}

bool MetricsAccess::allowsAddress(const Poco::Net::IPAddress& address) const
{
	for (const auto& network: _networks)
	{
		if (network.first.family() != address.family()) continue;
		const Poco::Net::IPAddress mask(network.second, address.family());
		if ((network.first & mask) == (address & mask)) return true;
	}
	return false;
}

bool MetricsAccess::hasToken(const Request& request) const
{
	if (_token.empty()) return false;
	const std::string authorization = Poco::trim(request.http().get("Authorization", ""));
	const std::string scheme = "Bearer ";
	if (authorization.size() <= scheme.size() || Poco::icompare(authorization.substr(0, scheme.size()), scheme) != 0)
		return false;
	return sameSecret(Poco::trim(authorization.substr(scheme.size())), _token);
}

} } // namespace Palaver::Server
