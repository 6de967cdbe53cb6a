#include "ContactsPlugin.h"
#include "palaver/HttpError.h"
#include "palaver/PluginContext.h"
#include "palaver/Request.h"
#include "palaver/Response.h"
#include "palaver/Router.h"
#include "palaver/ServiceRegistry.h"
#include <Poco/JSON/Array.h>

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

void ContactsPlugin::contacts(Request& request, Response& response)
{
	answer(response, _users->authenticate(request));
}

void ContactsPlugin::contactsOf(Request& request, Response& response)
{
	const User caller = _users->authenticate(request);
	if (request.idParam("userId") != caller.id)
		throw HttpError::forbidden("you can only list your own contacts");
	answer(response, caller);
}

void ContactsPlugin::answer(Response& response, const User& caller)
{
	Poco::JSON::Array::Ptr contacts = new Poco::JSON::Array;
	for (const User& user: _users->listUsers())
	{
		if (user.id != caller.id) contacts->add(user.toJson());
	}
	response.http().set("Cache-Control", "no-store");
	response.sendJson(200, contacts);
}

} } // namespace Palaver::Contacts

PALAVER_PLUGIN(Palaver::Contacts::ContactsPlugin)
