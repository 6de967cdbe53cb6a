#include "AddressLimits.h"
#include "LoginThrottle.h"
#include "palaver/Request.h"
#include <Poco/Exception.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>

namespace Palaver {
namespace Auth {

namespace {

const int MINUTE = 60;
const int HOUR = 3600;
const std::size_t MAX_FORWARDED = 4096;  // bytes of X-Forwarded-For looked at

} // namespace

bool AddressLimits::Range::contains(const Poco::Net::IPAddress& address) const
{
	if (address.family() != network.family()) return false;
	const Poco::Net::IPAddress mask(prefix, network.family());
	return (address & mask) == (network & mask);
}

AddressLimits::AddressLimits(const Settings& settings):
	_settings(settings),
	_exempt(parseRanges(settings.exempt)),
	_proxies(parseRanges(settings.trustedProxies)),
	_logins(MINUTE, settings.capacity),
	_registrations(HOUR, settings.capacity)
{
}

std::vector<AddressLimits::Range> AddressLimits::parseRanges(const std::string& text)
{
	std::vector<Range> ranges;
	Poco::StringTokenizer words(text, " ,", Poco::StringTokenizer::TOK_IGNORE_EMPTY | Poco::StringTokenizer::TOK_TRIM);
	for (const std::string& word: words)
	{
		Range range;
		const auto slash = word.find('/');
		if (!Poco::Net::IPAddress::tryParse(word.substr(0, slash), range.network))
			throw Poco::InvalidArgumentException("not an address or network", word);
		const unsigned bits = range.network.family() == Poco::Net::IPAddress::IPv4 ? 32 : 128;
		range.prefix = bits;
		if (slash != std::string::npos && (!Poco::NumberParser::tryParseUnsigned(word.substr(slash + 1), range.prefix) || range.prefix > bits))
			throw Poco::InvalidArgumentException("not a network prefix", word);
		ranges.push_back(range);
	}
	return ranges;
}

bool AddressLimits::inAny(const std::vector<Range>& ranges, const Poco::Net::IPAddress& address)
{
	for (const Range& range: ranges)
	{
		if (range.contains(address)) return true;
	}
	return false;
}

Poco::Net::IPAddress AddressLimits::plain(const Poco::Net::IPAddress& address)
{
	// An IPv4 client on a dual-stack socket arrives as ::ffff:a.b.c.d.
	if (address.family() == Poco::Net::IPAddress::IPv6 && address.isIPv4Mapped())
	{
		const std::string text = address.toString();
		Poco::Net::IPAddress v4;
		if (Poco::Net::IPAddress::tryParse(text.substr(text.rfind(':') + 1), v4)) return v4;
	}
	return address;
}

std::string AddressLimits::clientKey(const Request& request) const
{
	Poco::Net::IPAddress client = plain(request.clientAddress().host());
	if (inAny(_proxies, client))
	{
		// Right to left: the first address no trusted proxy added.
		std::string forwarded = request.http().get("X-Forwarded-For", "");
		if (forwarded.size() > MAX_FORWARDED) forwarded.erase(0, forwarded.size() - MAX_FORWARDED);
		Poco::StringTokenizer hops(forwarded, ",", Poco::StringTokenizer::TOK_IGNORE_EMPTY | Poco::StringTokenizer::TOK_TRIM);
		for (std::size_t i = hops.count(); i-- > 0;)
		{
			Poco::Net::IPAddress hop;
			if (!Poco::Net::IPAddress::tryParse(hops[i], hop)) break;
			client = plain(hop);
			if (!inAny(_proxies, client)) break;
		}
	}
	if (inAny(_exempt, client)) return "";
	if (client.family() == Poco::Net::IPAddress::IPv6) return (client & Poco::Net::IPAddress(64, Poco::Net::IPAddress::IPv6)).toString() + "/64";
	return client.toString();
}

int AddressLimits::login(const Request& request)
{
	return count(_logins, _settings.loginPerMinute, request);
}

int AddressLimits::registration(const Request& request)
{
	return count(_registrations, _settings.registerPerHour, request);
}

int AddressLimits::count(WindowCounter& counter, int max, const Request& request)
{
	if (max <= 0) return 0;
	const std::string key = clientKey(request);
	if (key.empty()) return 0;
	const Poco::Int64 now = LoginThrottle::clock();
	std::lock_guard<std::mutex> lock(_mutex);
	Poco::Int64 windowEnd = 0;
	if (counter.hit(key, now, windowEnd) <= max) return 0;
	return static_cast<int>(std::max<Poco::Int64>(1, windowEnd - now));
}

} } // namespace Palaver::Auth
