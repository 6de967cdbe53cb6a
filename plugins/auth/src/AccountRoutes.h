//
// AccountRoutes.h
//

#ifndef Palaver_Auth_AccountRoutes_INCLUDED
#define Palaver_Auth_AccountRoutes_INCLUDED

#include "palaver/User.h"
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace Poco { class Logger; }

namespace Palaver {

class EventBus;
class Request;
class Response;
class Router;

namespace Auth {

class AuthService;
class AvatarImages;
class AvatarStore;
class LoginThrottle;
class PasswordHasher;
class UserStore;

/// What a signed-in user does to their own account (PROTOCOL.md, "Accounts
/// and sessions"): GET /sessions, DELETE /sessions/{id},
/// POST /sessions/revoke-others, POST /password, PATCH /me, POST /me/image
/// and DELETE /me. Every session these end is announced as "session.ended"
/// (SessionEvents); a changed profile as "user.updated" (User JSON), a
/// deleted account as "user.deleted" {"id"}. Handlers run on HTTP threads;
/// the class keeps no state of its own.
class AccountRoutes
{
public:
	/// The plugin's parts the routes use; they outlive the routes.
	struct Parts
	{
		std::shared_ptr<UserStore> store;
		std::shared_ptr<AuthService> service;
		PasswordHasher& hasher;
		LoginThrottle& throttle;
		AvatarStore& avatars;
		const AvatarImages& avatarImages;  /// saves what avatars stores
		EventBus& events;
		Poco::Logger& logger;
		std::size_t maxImageSize;  /// bytes
		std::size_t maxImageBody;  /// bytes of a POST /me/image body
	};

	/// clearCookie: adds the Set-Cookie that drops palaver_session to an answer.
	AccountRoutes(const Parts& parts, std::function<void(Response&)> clearCookie);

	void addRoutes(Router& router);

	/// The request's User-Agent as stored with a session: printable ASCII
	/// (anything else becomes '?'), at most MAX_USER_AGENT bytes.
	static std::string userAgent(const Request& request);

	static constexpr std::size_t MAX_USER_AGENT = 256;

	/// Deletes the user (DELETE /me without the password check): sessions
	/// end, the avatar goes, "user.deleted" is published.
	void removeAccount(Poco::Int64 userId);

	/// Sets a new password hash and ends every session of the user but
	/// keepTokenHash ("": all), announcing them.
	void setPassword(Poco::Int64 userId, const std::string& passwordHash, const std::string& keepTokenHash);
private:
	void listSessions(Request& request, Response& response);
	void endSession(Request& request, Response& response);
	void revokeOthers(Request& request, Response& response);
	void changePassword(Request& request, Response& response);
	void updateProfile(Request& request, Response& response);
	void uploadImage(Request& request, Response& response);
	void deleteAccount(Request& request, Response& response);

	/// Answers 200 with user and tells everyone ("user.updated").
	void updated(Response& response, const User& user);

	/// Throws HttpError 403 "wrong_password" (or 429 after repeated failures,
	/// counted per user name as log-ins are) unless password is user's.
	void checkPassword(const User& user, const std::string& field, const std::string& password);

	/// Announces the ended sessions of userId.
	void ended(Poco::Int64 userId, const std::vector<std::string>& tokenHashes);

	Parts _parts;
	std::function<void(Response&)> _clearCookie;
};

} } // namespace Palaver::Auth

#endif
