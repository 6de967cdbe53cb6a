#include "palaver/ServiceCaller.h"
#include <Poco/Exception.h>

namespace Palaver {

ServiceCaller::ServiceCaller(std::string plugin, PostAs postAs):
	_plugin(std::move(plugin)),
	_postAs(postAs)
{
}

ServiceCaller::PostAs ServiceCaller::parsePostAs(const std::string& value)
{
	if (value == "service") return PostAs::SERVICE_ACCOUNTS;
	if (value == "any") return PostAs::ANY_USER;
	throw Poco::InvalidArgumentException("post_as must be service or any", value);
}

void ServiceCaller::ownAccount(Poco::Int64 userId)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_ownAccounts.insert(userId);
}

bool ServiceCaller::mayActAs(Poco::Int64 userId) const
{
	if (_postAs == PostAs::ANY_USER) return true;
	std::lock_guard<std::mutex> lock(_mutex);
	return _ownAccounts.count(userId) > 0;
}

void ServiceCaller::checkActAs(Poco::Int64 userId, const std::string& what) const
{
	if (!mayActAs(userId))
		throw Poco::NoPermissionException("plugin " + _plugin + " may not " + what + " as user " + std::to_string(userId)
			+ ": only as its own service accounts (UserDirectory::serviceAccount()) unless its section says post_as = any");
}

} // namespace Palaver
