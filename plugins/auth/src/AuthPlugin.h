//
// AuthPlugin.h
//

#ifndef Palaver_Auth_AuthPlugin_INCLUDED
#define Palaver_Auth_AuthPlugin_INCLUDED

#include "palaver/Plugin.h"
#include "palaver/User.h"
#include <Poco/Types.h>
#include <atomic>
#include <cstddef>
#include <memory>
#include <string>

namespace Poco { class Logger; }

namespace Palaver {

class Counter;
class EventBus;
class Request;
class Response;

namespace Auth {

class AccountRoutes;
class AddressLimits;
class AuthService;
class AvatarImages;
class AvatarStore;
class LoginThrottle;
class PasswordHasher;
class SessionSweeper;
class UserAdmin;
class UserStore;
class WsTickets;

/// Users, password hashes, sessions and avatars: POST /register, /login,
/// /logout, GET /me and /img/{name}, POST /ws/ticket, and the account routes
/// (AccountRoutes).
/// Offers UserDirectory ("auth.users") and publishes "user.registered" and
/// "session.ended". See plugins/auth/README.md.
class AuthPlugin: public Plugin
{
public:
	AuthPlugin();
	~AuthPlugin() override;

	PluginInfo info() const override;
	void initialize(PluginContext& context) override;
	void reconfigure(const Poco::Util::AbstractConfiguration& config) override;
	void start() override;
	void stop() override;

private:
	void registerUser(Request& request, Response& response);
	void login(Request& request, Response& response);
	void logout(Request& request, Response& response);
	void me(Request& request, Response& response);
	void image(Request& request, Response& response);
	void wsTicket(Request& request, Response& response);

	/// Opens a session for user: sets the cookie and answers {"user", "token"}.
	void answerLoggedIn(Response& response, int status, const User& user, const std::string& token);
	void setSessionCookie(Response& response, const std::string& token, Poco::Int64 maxAge);
	Poco::Int64 expiryFromNow() const;

	Poco::Logger* _logger = nullptr;
	EventBus* _events = nullptr;
	std::shared_ptr<UserStore> _store;
	std::shared_ptr<AuthService> _service;
	std::shared_ptr<WsTickets> _tickets;
	std::unique_ptr<PasswordHasher> _hasher;
	std::unique_ptr<AvatarStore> _avatars;
	std::unique_ptr<AvatarImages> _avatarImages;
	std::unique_ptr<LoginThrottle> _throttle;
	std::unique_ptr<AddressLimits> _addressLimits;
	std::unique_ptr<SessionSweeper> _sweeper;
	std::unique_ptr<AccountRoutes> _accounts;
	std::unique_ptr<UserAdmin> _userAdmin;
	std::size_t _maxImageSize = 0;
	std::atomic<Poco::Int64> _sessionTtl{0};      /// seconds
	std::atomic<bool> _secureCookie{false};
	/// [auth] registration
	enum class Registration { Open, Invite, Closed };
	std::atomic<Registration> _registration{Registration::Open};
	bool _clustered = false;                      /// [cluster] bus is not local
	Counter* _registrations = nullptr;
	Counter* _logins = nullptr;
	Counter* _loginFailures = nullptr;
	Counter* _loginsThrottled = nullptr;
};

} } // namespace Palaver::Auth

#endif
