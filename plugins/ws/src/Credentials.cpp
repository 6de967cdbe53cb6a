#include "Credentials.h"
#include "palaver/HttpError.h"
#include "palaver/PercentEncoding.h"
#include "palaver/Request.h"
#include "palaver/SessionCookie.h"
#include <Poco/NumberParser.h>
#include <Poco/String.h>

namespace Palaver {
namespace Ws {

Credentials Credentials::read(const Request& request, const OriginPolicy& origins)
{
	Credentials credentials;
	const std::string& uri = request.http().getURI();
	const std::size_t mark = uri.find('?');
	if (mark != std::string::npos)
	{
		for (const auto& parameter: PercentEncoding::queryParameters(uri.substr(mark + 1)))
		{
			if (parameter.first == "token")
			{
				credentials.token = parameter.second;
			}
			else if (parameter.first == "ticket")
			{
				credentials.ticket = parameter.second;
			}
			else if (parameter.first == "since")
			{
				if (!Poco::NumberParser::tryParse64(parameter.second, credentials.since) || credentials.since < 0)
					throw HttpError::badRequest("since must be a message id", "since");
				credentials.hasSince = true;
			}
		}
	}
	if (credentials.token.empty())
	{
		const std::string authorization = request.http().get("Authorization", "");
		if (authorization.size() > 7 && Poco::icompare(authorization.substr(0, 7), "Bearer ") == 0)
			credentials.token = Poco::trim(authorization.substr(7));
	}
	credentials.cookieToken = request.cookie(SessionCookie::name(origins));
	return credentials;
}

} } // namespace Palaver::Ws
