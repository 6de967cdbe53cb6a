#include "PushRoutes.h"
#include "Base64Url.h"
#include "OpenSsl.h"
#include "palaver/Form.h"
#include "palaver/HttpError.h"
#include "palaver/Request.h"
#include "palaver/Response.h"
#include "palaver/Router.h"
#include "palaver/SessionCookie.h"
#include <Poco/JSON/Object.h>
#include <Poco/String.h>
#include <openssl/rand.h>

namespace Palaver {
namespace Push {

namespace {

/// A required base64url field that decodes to a value check accepts.
std::string keyField(const Form& form, const std::string& field, const std::function<bool(const std::string&)>& check)
{
	const std::string text = form.get(field);
	if (text.empty()) throw HttpError::validation(field, field + " is required");
	try
	{
		if (text.size() <= 128 && check(Base64Url::decode(text))) return text;
	}
	catch (Poco::DataFormatException&)
	{
	}
	throw HttpError::validation(field, field + " is not a valid key");
}

std::string newId()
{
	unsigned char bytes[16];
	OpenSsl::check(RAND_bytes(bytes, sizeof(bytes)) == 1, "random bytes");
	return Base64Url::encode(std::string(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
}

} // namespace

PushRoutes::PushRoutes(SubscriptionRepository& repository, const VapidKey& key, const EndpointGuard& guard,
	std::shared_ptr<UserDirectory> users, const OriginPolicy& origins, std::size_t maxPerUser):
	_repository(repository),
	_key(key),
	_guard(guard),
	_users(std::move(users)),
	_origins(origins),
	_maxPerUser(maxPerUser)
{
}

void PushRoutes::registerWith(Router& router)
{
	router.add("GET", "/push/key", [this](Request& request, Response& response) { key(request, response); });
	router.add("POST", "/push/subscriptions", [this](Request& request, Response& response) { subscribe(request, response); });
	router.add("DELETE", "/push/subscriptions/{id}", [this](Request& request, Response& response) { unsubscribe(request, response); });
}

void PushRoutes::key(Request&, Response& response)
{
	Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
	body->set("publicKey", _key.publicKey());
	response.sendJson(200, body);
}

std::string PushRoutes::sessionToken(const Request& request) const
{
	const std::string authorization = Poco::trim(request.http().get("Authorization", ""));
	const auto space = authorization.find(' ');
	if (space != std::string::npos && Poco::icompare(authorization.substr(0, space), "Bearer") == 0)
		return Poco::trim(authorization.substr(space + 1));
	return request.cookie(SessionCookie::name(_origins));
}

void PushRoutes::subscribe(Request& request, Response& response)
{
	const User caller = _users->authenticate(request);
	const Form& form = request.form();
	Subscription subscription;
	subscription.endpoint = form.get("endpoint");
	try
	{
		_guard.parse(subscription.endpoint);
	}
	catch (Poco::InvalidArgumentException& e)
	{
		throw HttpError::validation("endpoint", e.message());
	}
	subscription.p256dh = keyField(form, "keys[p256dh]", [](const std::string& point)
	{
		try
		{
			OpenSsl::publicP256(point);
			return true;
		}
		catch (Poco::DataFormatException&)
		{
			return false;
		}
	});
	subscription.auth = keyField(form, "keys[auth]", [](const std::string& secret) { return secret.size() == 16; });
	subscription.id = newId();
	subscription.userId = caller.id;
	subscription.sessionId = _users->sessionId(sessionToken(request));
	if (!_repository.add(subscription, _maxPerUser))
		throw HttpError(409, "limit_reached", "at most " + std::to_string(_maxPerUser) + " push subscriptions per user");
	Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
	body->set("id", subscription.id);
	response.sendJson(201, body);
}

void PushRoutes::unsubscribe(Request& request, Response& response)
{
	const User caller = _users->authenticate(request);
	if (!_repository.remove(caller.id, request.param("id"))) throw HttpError::notFound("no such subscription");
	response.sendNoContent();
}

} } // namespace Palaver::Push
