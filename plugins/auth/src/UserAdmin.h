//
// UserAdmin.h
//

#ifndef Palaver_Auth_UserAdmin_INCLUDED
#define Palaver_Auth_UserAdmin_INCLUDED

#include <Poco/Types.h>
#include <memory>
#include <string>
#include <vector>

namespace Palaver {

class AdminCommands;
class EventBus;
class UserDirectory;

namespace Auth {

class AccountRoutes;
class PasswordHasher;
class UserStore;

/// The auth plugin's palaverctl commands, run by the daemon (AdminCommands,
/// on the admin socket's thread), so that they take effect at once:
///   users list | disable NAME | enable NAME | delete NAME | reset-password NAME
///   users add-service NAME   (a service account: UserDirectory::serviceAccount())
///   invite create [--uses N] [--expires DURATION]   (DURATION: 30m, 12h, 7d)
class UserAdmin
{
public:
	static constexpr Poco::Int64 MAX_INVITE_USES = 1000000;

	UserAdmin(std::shared_ptr<UserStore> store, AccountRoutes& accounts, PasswordHasher& hasher, EventBus& events, UserDirectory& directory);

	void addCommands(AdminCommands& commands);

	/// "7d" -> seconds ("30m", "12h", "7d", or plain seconds); throws
	/// Poco::InvalidArgumentException for anything else.
	static Poco::Int64 parseDuration(const std::string& text);

private:
	std::string list();
	std::string setDisabled(const std::vector<std::string>& arguments, bool disabled);
	std::string remove(const std::vector<std::string>& arguments);
	std::string resetPassword(const std::vector<std::string>& arguments);
	std::string createInvite(const std::vector<std::string>& arguments);
	std::string addService(const std::vector<std::string>& arguments);

	/// The id of the one user NAME names (arguments holds exactly NAME).
	Poco::Int64 userNamed(const std::vector<std::string>& arguments);

	std::shared_ptr<UserStore> _store;
	AccountRoutes& _accounts;
	PasswordHasher& _hasher;
	EventBus& _events;
	UserDirectory& _directory;
};

} } // namespace Palaver::Auth

#endif
