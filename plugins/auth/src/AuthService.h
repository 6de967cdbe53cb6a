//
// AuthService.h
//

#ifndef Palaver_Auth_AuthService_INCLUDED
#define Palaver_Auth_AuthService_INCLUDED

#include "palaver/ScopedService.h"
#include "palaver/services/UserDirectory.h"
#include <memory>
#include <string>

namespace Palaver {

class EventBus;
class OriginPolicy;

namespace Auth {

class UserStore;
class WsTickets;

/// The UserDirectory service ("auth.users") the auth plugin offers: who is
/// behind a request or a token. Session look-ups go through UserStore's
/// session cache (dropped at once on log-out; off by default in a cluster,
/// where a log-out on another node could not reach it). Other plugins find
/// it scoped to them (ScopedUserDirectory), which records the service
/// accounts each one obtains: the users it may post as.
class AuthService: public UserDirectory, public ScopedService, public std::enable_shared_from_this<AuthService>
{
public:
	/// The session token a request carries: from Authorization: Bearer when
	/// present (then fromCookie is false), else from the session cookie
	/// (SessionCookie::name: __Host-palaver_session behind https).
	struct Credential
	{
		std::string token;
		bool fromCookie = false;
	};

	AuthService(std::shared_ptr<UserStore> store, std::shared_ptr<WsTickets> tickets, const OriginPolicy& origins, EventBus& events);

	User authenticate(const Request& request) override;
	Poco::Optional<User> userForToken(const std::string& token) override;
	std::string sessionId(const std::string& token) const override;
	std::string redeemTicket(const std::string& ticket) override;
	Poco::Optional<User> findUser(Poco::Int64 id) override;
	std::vector<User> listUsers() override;
	std::vector<User> findUsers(const std::string& prefix, const std::string& after, std::size_t limit, Poco::Int64 exceptId) override;
	Poco::Optional<User> findUserByName(const std::string& userName) override;
	/// Publishes Events::USER_REGISTERED for an account it creates, on the caller's thread.
	User serviceAccount(const std::string& userName) override;

	/// A ScopedUserDirectory of this directory for caller (held by a shared_ptr).
	std::shared_ptr<Service> scopedTo(const std::shared_ptr<ServiceCaller>& caller) override;

	Credential credential(const Request& request) const;

	/// The session cookie's Set-Cookie value; an empty token with maxAge 0
	/// drops the cookie. Secure when the public URL is https or secure is set
	/// ([auth] secure_cookie).
	std::string sessionCookie(const std::string& token, Poco::Int64 maxAge, bool secure) const;

	/// Throws HttpError 403 when the request's Origin header names an origin
	/// that is neither the server's own nor an allowed one.
	void checkOrigin(const Request& request) const;

	/// True for methods that change state (CSRF applies to them).
	static bool unsafeMethod(const std::string& method);

private:
	std::shared_ptr<UserStore> _store;
	std::shared_ptr<WsTickets> _tickets;
	const OriginPolicy& _origins;
	EventBus& _events;
};

} } // namespace Palaver::Auth

#endif
