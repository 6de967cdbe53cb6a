//
// UserDirectory.h
//

#ifndef Palaver_Services_UserDirectory_INCLUDED
#define Palaver_Services_UserDirectory_INCLUDED

#include "palaver/Service.h"
#include "palaver/User.h"
#include <Poco/Optional.h>
#include <string>
#include <vector>

namespace Palaver {

class Request;

/// Who is asking: offered by the auth plugin.
///
/// Sessions have a public id of their own (never the token): GET /sessions
/// shows it, and the event "session.ended" {"userId": N, "sessions": [id, ...]}
/// names the sessions that ended (log-out, revocation, password change,
/// account deletion or disabling, expiry), on every node of a cluster. A
/// plugin that holds connections open on a session (the ws plugin) closes
/// them on that event.
class UserDirectory: public Service
{
public:
	static constexpr const char* NAME = "auth.users";

	/// The user behind the request's session (the session cookie, see
	/// SessionCookie, or Authorization: Bearer). Throws HttpError 401 without a valid session,
	/// 403 for a cookie-authenticated unsafe method from a foreign Origin.
	/// Answers from the session cache when it can; before it reads the
	/// database it calls request.requireWorker() (a handler on the I/O
	/// thread, Router::addOnIoThread(), goes on on a worker).
	virtual User authenticate(const Request& request) = 0;

	/// The user a session token belongs to, if the token is valid.
	virtual Poco::Optional<User> userForToken(const std::string& token) = 0;

	/// The session token a WebSocket ticket (POST /ws/ticket) stands for, ""
	/// for an unknown, used or expired ticket. Using a ticket ends it: a second
	/// call with it gives "". The token may have ended since the ticket was
	/// given: check it with userForToken().
	virtual std::string redeemTicket(const std::string& ticket) = 0;

	/// The public id of the session token opens, as "session.ended" names it
	/// (computed from the token, no look-up; the token need not be valid).
	virtual std::string sessionId(const std::string& token) const = 0;

	virtual Poco::Optional<User> findUser(Poco::Int64 id) = 0;

	/// Every registered user, ordered by userName.
	virtual std::vector<User> listUsers() = 0;

	/// At most limit users (0: no limit) but exceptId, ordered by userName:
	/// those whose name begins with prefix (ASCII letters in either case; ""
	/// matches every name) and sorts after `after` ("": from the first).
	/// For search and paging of GET /contacts.
	virtual std::vector<User> findUsers(const std::string& prefix, const std::string& after, std::size_t limit, Poco::Int64 exceptId) = 0;

	// API 4.0: what a bot needs.

	/// The user named userName, as log-in finds it (the name as given, or in
	/// Unicode NFC), if any. A database read: not for an I/O thread.
	virtual Poco::Optional<User> findUserByName(const std::string& userName) = 0;

	/// The service account userName: a user that others see and write to
	/// like anyone, but that has no password, so that nobody can log in as
	/// it (POST /login answers 401 as for a wrong password). Created with its
	/// "user.registered" event the first time, found afterwards; a plugin
	/// asks for its bot's account in initialize() or start(). Throws
	/// HttpError 400 for a name registration would refuse, 409 when a user
	/// with a password has that name. `palaverctl users add-service NAME`
	/// does the same. A database write: not for an I/O thread.
	virtual User serviceAccount(const std::string& userName) = 0;
};

} // namespace Palaver

#endif
