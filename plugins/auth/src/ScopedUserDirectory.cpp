#include "ScopedUserDirectory.h"

namespace Palaver {
namespace Auth {

ScopedUserDirectory::ScopedUserDirectory(std::shared_ptr<UserDirectory> directory, std::shared_ptr<ServiceCaller> caller):
	_directory(std::move(directory)),
	_caller(std::move(caller))
{
}

User ScopedUserDirectory::authenticate(const Request& request)
{
	return _directory->authenticate(request);
}

Poco::Optional<User> ScopedUserDirectory::userForToken(const std::string& token)
{
	return _directory->userForToken(token);
}

std::string ScopedUserDirectory::redeemTicket(const std::string& ticket)
{
	return _directory->redeemTicket(ticket);
}

std::string ScopedUserDirectory::sessionId(const std::string& token) const
{
	return _directory->sessionId(token);
}

Poco::Optional<User> ScopedUserDirectory::findUser(Poco::Int64 id)
{
	return _directory->findUser(id);
}

std::vector<User> ScopedUserDirectory::listUsers()
{
	return _directory->listUsers();
}

std::vector<User> ScopedUserDirectory::findUsers(const std::string& prefix, const std::string& after, std::size_t limit, Poco::Int64 exceptId)
{
	return _directory->findUsers(prefix, after, limit, exceptId);
}

Poco::Optional<User> ScopedUserDirectory::findUserByName(const std::string& userName)
{
	return _directory->findUserByName(userName);
}

User ScopedUserDirectory::serviceAccount(const std::string& userName)
{
	User account = _directory->serviceAccount(userName);
	_caller->ownAccount(account.id);
	return account;
}

} } // namespace Palaver::Auth
