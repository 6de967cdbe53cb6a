//
// ScopedUserDirectory.h
//

#ifndef Palaver_Auth_ScopedUserDirectory_INCLUDED
#define Palaver_Auth_ScopedUserDirectory_INCLUDED

#include "palaver/ServiceCaller.h"
#include "palaver/services/UserDirectory.h"
#include <memory>

namespace Palaver {
namespace Auth {

/// The UserDirectory that another plugin finds (ScopedService): the
/// directory, and the service accounts the plugin obtains with
/// serviceAccount() become its own (ServiceCaller::ownAccount()), the users
/// it may post as through MessageStore. Each method runs on the caller's thread.
class ScopedUserDirectory: public UserDirectory
{
public:
	ScopedUserDirectory(std::shared_ptr<UserDirectory> directory, std::shared_ptr<ServiceCaller> caller);

	User authenticate(const Request& request) override;
	Poco::Optional<User> userForToken(const std::string& token) override;
	std::string redeemTicket(const std::string& ticket) override;
	std::string sessionId(const std::string& token) const override;
	Poco::Optional<User> findUser(Poco::Int64 id) override;
	std::vector<User> listUsers() override;
	std::vector<User> findUsers(const std::string& prefix, const std::string& after, std::size_t limit, Poco::Int64 exceptId) override;
	Poco::Optional<User> findUserByName(const std::string& userName) override;
	User serviceAccount(const std::string& userName) override;

private:
	const std::shared_ptr<UserDirectory> _directory;
	const std::shared_ptr<ServiceCaller> _caller;
};

} } // namespace Palaver::Auth

#endif
