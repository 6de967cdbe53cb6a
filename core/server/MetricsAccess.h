//
// MetricsAccess.h
//

#ifndef Palaver_Server_MetricsAccess_INCLUDED
#define Palaver_Server_MetricsAccess_INCLUDED

#include <Poco/Net/IPAddress.h>
#include <Poco/Util/AbstractConfiguration.h>
#include <string>
#include <utility>
#include <vector>

namespace Palaver {

class Request;

namespace Server {

/// Who may read GET /metrics (log-in failures, who is online, load): clients
/// from [metrics] allowed_addresses (addresses or networks, default loopback
/// only), or any client with [metrics] token as its bearer token.
class MetricsAccess
{
public:
	/// Throws Poco::InvalidArgumentException for an entry of
	/// allowed_addresses that is no address or network.
	explicit MetricsAccess(const Poco::Util::AbstractConfiguration& config);

	/// Throws HttpError 403 unless the request may read the metrics.
	void check(const Request& request) const;

	/// True when address is in one of the allowed networks.
	bool allowsAddress(const Poco::Net::IPAddress& address) const;

private:
	bool hasToken(const Request& request) const;

	std::vector<std::pair<Poco::Net::IPAddress, unsigned>> _networks;  /// address, prefix length
	std::string _token;
};

} } // namespace Palaver::Server

#endif
