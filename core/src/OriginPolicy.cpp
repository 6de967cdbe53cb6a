#include "palaver/OriginPolicy.h"
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>
#include <algorithm>

namespace Palaver {

OriginPolicy::OriginPolicy(const std::string& allowedOrigins)
{
	Poco::StringTokenizer tokens(allowedOrigins, " ,", Poco::StringTokenizer::TOK_IGNORE_EMPTY | Poco::StringTokenizer::TOK_TRIM);
	for (const auto& origin: tokens)
		_allowed.push_back(Poco::toLower(origin));
}

bool OriginPolicy::allows(const std::string& origin, const std::string& host) const
{
	if (origin.empty()) return true;
	const std::string lowered = Poco::toLower(origin);
	const std::string lowerHost = Poco::toLower(host);
	if (!lowerHost.empty() && (lowered == "http://" + lowerHost || lowered == "https://" + lowerHost))
		return true;
	return std::find(_allowed.begin(), _allowed.end(), lowered) != _allowed.end();
}

} // namespace Palaver
