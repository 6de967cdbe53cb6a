#include "palaver/PercentEncoding.h"
#include "palaver/HttpError.h"
#include <Poco/URI.h>

namespace Palaver {

std::string PercentEncoding::decode(const std::string& text, const std::string& what)
{
	std::string decoded;
	try
	{
		Poco::URI::decode(text, decoded);
	}
	catch (Poco::SyntaxException&)
	{
		throw HttpError::badRequest("malformed %-escape in the " + what);
	}
	return decoded;
}

std::vector<std::pair<std::string, std::string>> PercentEncoding::queryParameters(const std::string& query)
{
	Poco::URI uri;
	try
	{
		uri.setRawQuery(query);
		return uri.getQueryParameters();
	}
	catch (Poco::SyntaxException&)
	{
		throw HttpError::badRequest("malformed %-escape in the query string");
	}
}

} // namespace Palaver
