//
// AddressLimits.h
//

#ifndef Palaver_Auth_AddressLimits_INCLUDED
#define Palaver_Auth_AddressLimits_INCLUDED

#include "WindowCounter.h"
#include <Poco/Net/IPAddress.h>
#include <Poco/Types.h>
#include <mutex>
#include <string>
#include <vector>

namespace Palaver {

class Request;

namespace Auth {

/// Log-ins and registrations per client address ([auth] login_per_address,
/// register_per_address), so that one client can neither guess passwords
/// across many names nor fill the database with accounts. The client is the
/// peer, or, when the peer is one of trusted_proxies, the last address in
/// X-Forwarded-For that is not a trusted proxy. IPv6 clients count per /64
/// (one host usually holds a whole /64). Addresses in rate_exempt are not
/// limited. Each limit is a fixed window per address in a bounded table
/// (WindowCounter), per node. Thread-safe.
class AddressLimits
{
public:
	struct Settings
	{
		int loginPerMinute = 60;     /// 0: no limit
		int registerPerHour = 20;    /// 0: no limit
		std::string exempt = "127.0.0.0/8 ::1";
		std::string trustedProxies;
		std::size_t capacity = 100000;  /// addresses remembered per limit
	};

	/// One address or network, "10.0.0.0/8", "::1", "2001:db8::/32".
	struct Range
	{
		Poco::Net::IPAddress network;
		unsigned prefix = 0;
		bool contains(const Poco::Net::IPAddress& address) const;
	};

	/// Throws Poco::InvalidArgumentException for a range it cannot parse.
	explicit AddressLimits(const Settings& settings);

	/// 0 when the request may log in (it is counted), else the seconds to wait.
	int login(const Request& request);

	/// The same for POST /register.
	int registration(const Request& request);

	/// The address whose limits apply to request ("" when exempt).
	std::string clientKey(const Request& request) const;

	/// Ranges separated by spaces or commas.
	static std::vector<Range> parseRanges(const std::string& text);

private:
	int count(WindowCounter& counter, int max, const Request& request);
	static bool inAny(const std::vector<Range>& ranges, const Poco::Net::IPAddress& address);
	static Poco::Net::IPAddress plain(const Poco::Net::IPAddress& address);

	const Settings _settings;
	const std::vector<Range> _exempt;
	const std::vector<Range> _proxies;
	std::mutex _mutex;
	WindowCounter _logins;
	WindowCounter _registrations;
};

} } // namespace Palaver::Auth

#endif
