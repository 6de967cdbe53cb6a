#include "AccountRoutes.h"
#include "AuthService.h"
#include "AvatarImages.h"
#include "AvatarStore.h"
#include "Fields.h"
#include "LoginThrottle.h"
#include "PasswordHasher.h"
#include "SessionEvents.h"
#include "SessionToken.h"
#include "UserStore.h"
#include "palaver/EventBus.h"
#include "palaver/Events.h"
#include "palaver/HttpError.h"
#include "palaver/Request.h"
#include "palaver/Response.h"
#include "palaver/Router.h"
#include "palaver/Utf8.h"
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Logger.h>
#include <Poco/Timestamp.h>

namespace Palaver {
namespace Auth {

namespace {

/// ISO 8601 in UTC with microseconds: "2026-12-07T10:17:20.123456Z".
std::string isoTime(Poco::Int64 microseconds)
{
	return Poco::DateTimeFormatter::format(Poco::Timestamp(microseconds), Poco::DateTimeFormat::ISO8601_FRAC_FORMAT);
}

} // namespace

AccountRoutes::AccountRoutes(const Parts& parts, std::function<void(Response&)> clearCookie):
	_parts(parts),
	_clearCookie(std::move(clearCookie))
{
}

void AccountRoutes::addRoutes(Router& router)
{
	router.add("GET", "/sessions", [this](Request& request, Response& response) { listSessions(request, response); });
	router.add("DELETE", "/sessions/{id}", [this](Request& request, Response& response) { endSession(request, response); });
	router.add("POST", "/sessions/revoke-others", [this](Request& request, Response& response) { revokeOthers(request, response); });
	router.add("POST", "/password", [this](Request& request, Response& response) { changePassword(request, response); });
	router.add("PATCH", "/me", [this](Request& request, Response& response) { updateProfile(request, response); });
	Router::Options imageOptions;
	imageOptions.maxBodySize = _parts.maxImageBody;
	router.add("POST", "/me/image", [this](Request& request, Response& response) { uploadImage(request, response); }, imageOptions);
	router.add("DELETE", "/me", [this](Request& request, Response& response) { deleteAccount(request, response); });
}

std::string AccountRoutes::userAgent(const Request& request)
{
	std::string agent = request.http().get("User-Agent", "");
	if (agent.size() > MAX_USER_AGENT) agent.resize(MAX_USER_AGENT);
	for (char& c: agent)
	{
		if (c < 0x20 || c > 0x7E) c = '?';
	}
	return agent;
}

void AccountRoutes::listSessions(Request& request, Response& response)
{
	const User user = _parts.service->authenticate(request);
	const std::string current = SessionToken::hash(_parts.service->credential(request).token);
	Poco::JSON::Array::Ptr sessions = new Poco::JSON::Array;
	for (const UserStore::SessionRecord& record: _parts.store->sessionsOf(user.id, UserStore::timeNow()))
	{
		Poco::JSON::Object::Ptr session = new Poco::JSON::Object;
		session->set("id", SessionToken::publicId(record.tokenHash));
		session->set("createdAt", isoTime(record.createdAt));
		session->set("lastSeenAt", isoTime(record.lastSeenAt));
		session->set("userAgent", record.userAgent);
		session->set("current", record.tokenHash == current);
		sessions->add(session);
	}
	response.http().set("Cache-Control", "no-store");
	response.sendJson(200, sessions);
}

void AccountRoutes::endSession(Request& request, Response& response)
{
	const User user = _parts.service->authenticate(request);
	const std::string id = request.param("id");
	if (!SessionToken::wellFormedPublicId(id)) throw HttpError::notFound("no such session");
	const std::string tokenHash = _parts.store->endSession(user.id, id);
	if (tokenHash.empty()) throw HttpError::notFound("no such session");
	ended(user.id, {tokenHash});
	if (tokenHash == SessionToken::hash(_parts.service->credential(request).token)) _clearCookie(response);
	response.sendNoContent();
}

void AccountRoutes::revokeOthers(Request& request, Response& response)
{
	const User user = _parts.service->authenticate(request);
	const std::string current = SessionToken::hash(_parts.service->credential(request).token);
	ended(user.id, _parts.store->endSessionsOf(user.id, current));
	response.sendNoContent();
}

void AccountRoutes::changePassword(Request& request, Response& response)
{
	const User user = _parts.service->authenticate(request);
	const Form& form = request.form();
	const std::string currentPassword = form.get("currentPassword");
	const std::string newPassword = form.get("newPassword");
	if (currentPassword.empty()) throw HttpError::validation("currentPassword", "currentPassword must not be empty");
	Fields::checkPassword("newPassword", newPassword);
	checkPassword(user, "currentPassword", currentPassword);
	const std::string current = SessionToken::hash(_parts.service->credential(request).token);
	setPassword(user.id, _parts.hasher.hash(newPassword), current);
	_parts.logger.information("user %Ld changed their password", user.id);
	response.sendNoContent();
}

void AccountRoutes::updateProfile(Request& request, Response& response)
{
	const User user = _parts.service->authenticate(request);
	const Form& form = request.form();
	if (!form.has("info")) throw HttpError::validation("info", "info is required");
	const std::string info = form.get("info");
	Fields::checkInfo(info);
	updated(response, _parts.store->setInfo(user.id, info));
}

void AccountRoutes::uploadImage(Request& request, Response& response)
{
	const User user = _parts.service->authenticate(request);
	const Form::File* image = Fields::image(request.form(), _parts.maxImageSize);
	if (!image) throw HttpError::validation("image", "image is required");
	const std::string name = _parts.avatarImages.save(image->data);
	std::string previous;
	User changed;
	try
	{
		changed = _parts.store->setImage(user.id, name, previous);
	}
	catch (...)
	{
		_parts.avatars.remove(name);
		throw;
	}
	if (!previous.empty()) _parts.avatars.remove(previous);
	updated(response, changed);
}

void AccountRoutes::updated(Response& response, const User& user)
{
	_parts.events.publish(Events::USER_UPDATED, user.toJson());
	response.http().set("Cache-Control", "no-store");
	response.sendJson(200, user.toJson());
}

void AccountRoutes::deleteAccount(Request& request, Response& response)
{
	const User user = _parts.service->authenticate(request);
	const std::string password = request.form().get("password");
	if (password.empty()) throw HttpError::validation("password", "password must not be empty");
	checkPassword(user, "password", password);
	removeAccount(user.id);
	_parts.logger.information("user %Ld deleted their account", user.id);
	_clearCookie(response);
	response.sendNoContent();
}

void AccountRoutes::removeAccount(Poco::Int64 userId)
{
	std::string image;
	const std::vector<std::string> sessions = _parts.store->deleteUser(userId, image);
	ended(userId, sessions);
	if (!image.empty()) _parts.avatars.remove(image);
	Poco::JSON::Object::Ptr deleted = new Poco::JSON::Object;
	deleted->set("id", userId);
	_parts.events.publish(Events::USER_DELETED, deleted);
}

void AccountRoutes::setPassword(Poco::Int64 userId, const std::string& passwordHash, const std::string& keepTokenHash)
{
	ended(userId, _parts.store->changePassword(userId, passwordHash, keepTokenHash));
}

void AccountRoutes::checkPassword(const User& user, const std::string& field, const std::string& password)
{
	const int retryAfter = _parts.throttle.attempt(user.userName);
	if (retryAfter > 0) throw HttpError::rateLimited(retryAfter, "too many wrong passwords for this user, try again later");
	Poco::Optional<UserStore::Credentials> credentials = _parts.store->findByName(user.userName);
	if (!credentials.isSpecified() || Utf8::length(password) > Fields::MAX_PASSWORD ||
		!_parts.hasher.verify(credentials.value().passwordHash, password))
		throw HttpError(403, "wrong_password", "the password is wrong", field);
	_parts.throttle.succeeded(user.userName);
}

void AccountRoutes::ended(Poco::Int64 userId, const std::vector<std::string>& tokenHashes)
{
	SessionEvents::ended(_parts.events, userId, tokenHashes);
}

} } // namespace Palaver::Auth
