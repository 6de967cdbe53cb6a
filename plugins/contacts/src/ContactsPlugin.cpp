#include "ContactsPlugin.h"
#include "palaver/HttpError.h"
#include "palaver/PluginContext.h"
#include "palaver/Request.h"
#include "palaver/Response.h"
#include "palaver/Router.h"
#include "palaver/ServiceRegistry.h"
#include "palaver/Utf8.h"
#include <Poco/JSON/Array.h>
#include <Poco/NumberParser.h>

namespace Palaver {
namespace Contacts {

PluginInfo ContactsPlugin::info() const
{
	PluginInfo info;
	info.name = "contacts";
	info.version = "1.0.0";
	info.needs = {"auth"};
	return info;
}

void ContactsPlugin::initialize(PluginContext& context)
{
	_users = context.services().require<UserDirectory>();
	Router& router = context.router();
	router.add("GET", "/contacts", [this](Request& request, Response& response) { contacts(request, response); });
	router.add("GET", "/contacts/{userId}", [this](Request& request, Response& response) { contactsOf(request, response); });
}

namespace {

const std::size_t DEFAULT_PAGE = 50;
const unsigned MAX_PAGE = 1000;
const std::size_t MAX_NAME = 180;

void checkName(const std::string& field, const std::string& value)
{
	if (!Utf8::isValid(value) || Utf8::length(value) > MAX_NAME)
		throw HttpError::validation(field, field + " must be valid UTF-8 of at most " + std::to_string(MAX_NAME) + " characters");
}

} // namespace

void ContactsPlugin::contacts(Request& request, Response& response)
{
	answer(request, response, _users->authenticate(request));
}

void ContactsPlugin::contactsOf(Request& request, Response& response)
{
	const User caller = _users->authenticate(request);
	if (request.idParam("userId") != caller.id)
		throw HttpError::forbidden("you can only list your own contacts");
	answer(request, response, caller);
}

void ContactsPlugin::answer(const Request& request, Response& response, const User& caller)
{
	const std::string prefix = request.query("q");
	const std::string after = request.query("after");
	const std::string limitText = request.query("limit");
	std::size_t limit = 0;  // the seed's route: everyone
	if (!prefix.empty() || !after.empty() || !limitText.empty())
	{
		checkName("q", prefix);
		checkName("after", after);
		limit = DEFAULT_PAGE;
		if (!limitText.empty())
		{
			unsigned value = 0;
			if (limitText.size() > 4 || !Poco::NumberParser::tryParseUnsigned(limitText, value) || value < 1 || value > MAX_PAGE)
				throw HttpError::validation("limit", "limit must be a whole number from 1 to " + std::to_string(MAX_PAGE));
			limit = value;
		}
	}
	Poco::JSON::Array::Ptr contacts = new Poco::JSON::Array;
	for (const User& user: _users->findUsers(prefix, after, limit, caller.id)) contacts->add(user.toJson());
	response.http().set("Cache-Control", "no-store");
	response.sendJson(200, contacts);
}

} } // namespace Palaver::Contacts

PALAVER_PLUGIN(Palaver::Contacts::ContactsPlugin)
