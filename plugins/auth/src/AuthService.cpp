#include "AuthService.h"
#include "ScopedUserDirectory.h"
#include "SessionToken.h"
#include "UserName.h"
#include "UserStore.h"
#include "WsTickets.h"
#include "palaver/EventBus.h"
#include "palaver/Events.h"
#include "palaver/HttpError.h"
#include "palaver/OriginPolicy.h"
#include "palaver/Request.h"
#include "palaver/SessionCookie.h"
#include <Poco/String.h>

namespace Palaver {
namespace Auth {

AuthService::AuthService(std::shared_ptr<UserStore> store, std::shared_ptr<WsTickets> tickets, const OriginPolicy& origins, EventBus& events):
	_store(std::move(store)),
	_tickets(std::move(tickets)),
	_origins(origins),
	_events(events)
{
}

Poco::Optional<User> AuthService::findUserByName(const std::string& userName)
{
	Poco::Optional<UserStore::Credentials> found = _store->findByName(userName);
	if (!found.isSpecified()) return Poco::Optional<User>();
	return found.value().user;
}

std::shared_ptr<Service> AuthService::scopedTo(const std::shared_ptr<ServiceCaller>& caller)
{
	return std::make_shared<ScopedUserDirectory>(shared_from_this(), caller);
}

User AuthService::serviceAccount(const std::string& userName)
{
	User user;
	user.userName = UserName::checked(userName);
	// Found, or created; a creation racing this one is found on the second look.
	for (int look = 0; look < 2; ++look)
	{
		Poco::Optional<UserStore::Credentials> found = _store->findByName(user.userName);
		if (found.isSpecified())
		{
			if (!found.value().passwordHash.empty())
				throw HttpError::conflict("a user with a password has this name", "username");
			return found.value().user;
		}
		try
		{
			const User created = _store->create(user, "", "", 0, "", "");
			_events.publish(Events::USER_REGISTERED, created.toJson());
			return created;
		}
		catch (HttpError& error)
		{
			if (error.status() != 409 || look > 0) throw;
		}
	}
	throw HttpError::conflict("this user name is taken", "username");
}

AuthService::Credential AuthService::credential(const Request& request) const
{
	Credential credential;
	const std::string authorization = Poco::trim(request.http().get("Authorization", ""));
	const auto space = authorization.find(' ');
	if (space != std::string::npos && Poco::icompare(authorization.substr(0, space), "Bearer") == 0)
	{
		credential.token = Poco::trim(authorization.substr(space + 1));
		return credential;
	}
	credential.token = request.cookie(SessionCookie::name(_origins));
	credential.fromCookie = !credential.token.empty();
	return credential;
}

std::string AuthService::sessionCookie(const std::string& token, Poco::Int64 maxAge, bool secure) const
{
	// Path=/ and no Domain: what a __Host- cookie requires, and right for the plain one too.
	std::string cookie = SessionCookie::name(_origins) + "=" + token + "; Path=/; Max-Age=" + std::to_string(maxAge);
	if (token.empty()) cookie += "; Expires=Thu, 01 Jan 1970 00:00:00 GMT";
	cookie += "; HttpOnly; SameSite=Lax";
	if (secure || SessionCookie::secure(_origins)) cookie += "; Secure";
	return cookie;
}

bool AuthService::unsafeMethod(const std::string& method)
{
	return !(method == "GET" || method == "HEAD" || method == "OPTIONS");
}

void AuthService::checkOrigin(const Request& request) const
{
	const std::string origin = request.http().get("Origin", "");
	// getHost() throws without a Host header (HTTP/1.0): no host is no match.
	const std::string host = request.http().has("Host") ? request.http().getHost() : std::string();
	if (!_origins.allows(origin, host))
		throw HttpError::forbidden("cross-site request refused");
}

User AuthService::authenticate(const Request& request)
{
	const Credential credential = this->credential(request);
	if (credential.token.empty()) throw HttpError::unauthorized();
	if (!SessionToken::wellFormed(credential.token)) throw HttpError::unauthorized("invalid or expired session");
	const std::string tokenHash = SessionToken::hash(credential.token);
	const Poco::Int64 now = UserStore::timeNow();
	Poco::Optional<User> user = _store->findCachedSession(tokenHash, now);
	if (!user.isSpecified())
	{
		// The sessions table is read on a worker, not on an I/O thread.
		request.requireWorker();
		user = _store->findBySession(tokenHash, now);
	}
	if (!user.isSpecified()) throw HttpError::unauthorized("invalid or expired session");
	if (credential.fromCookie && unsafeMethod(request.method())) checkOrigin(request);
	return user.value();
}

Poco::Optional<User> AuthService::userForToken(const std::string& token)
{
	if (!SessionToken::wellFormed(token)) return Poco::Optional<User>();
	return _store->findBySession(SessionToken::hash(token), UserStore::timeNow());
}

std::string AuthService::sessionId(const std::string& token) const
{
	return SessionToken::publicId(SessionToken::hash(token));
}

std::string AuthService::redeemTicket(const std::string& ticket)
{
	return _tickets->redeem(ticket);
}

Poco::Optional<User> AuthService::findUser(Poco::Int64 id)
{
	if (id <= 0) return Poco::Optional<User>();
	return _store->findById(id);
}

std::vector<User> AuthService::listUsers()
{
	return _store->search("", "", 0, 0);
}

std::vector<User> AuthService::findUsers(const std::string& prefix, const std::string& after, std::size_t limit, Poco::Int64 exceptId)
{
	return _store->search(prefix, after, limit, exceptId);
}

} } // namespace Palaver::Auth
