// A plugin built only for the auth tests: it uses the auth plugin the way the
// messages and ws plugins do (the UserDirectory service, the
// "user.registered" event) and shows what it sees over HTTP under /probe/.
#include "palaver/EventBus.h"
#include "palaver/Events.h"
#include "palaver/HttpError.h"
#include "palaver/Plugin.h"
#include "palaver/PluginContext.h"
#include "palaver/Request.h"
#include "palaver/Response.h"
#include "palaver/Router.h"
#include "palaver/ServiceRegistry.h"
#include "palaver/services/UserDirectory.h"
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <memory>
#include <mutex>

namespace Palaver {
namespace AuthProbe {

class ProbePlugin: public Plugin
{
public:
	PluginInfo info() const override
	{
		PluginInfo info;
		info.name = "authprobe";
		info.version = "0.0.1";
		info.needs = {"auth"};
		return info;
	}

	void initialize(PluginContext& context) override
	{
		_users = context.services().require<UserDirectory>();
		_events = new Poco::JSON::Array;
		context.events().subscribe(Events::USER_REGISTERED, [this](const std::string&, const Poco::JSON::Object::Ptr& payload)
		{
			// Published after the commit: the user can already be found.
			Poco::JSON::Object::Ptr seen = new Poco::JSON::Object;
			seen->set("payload", payload);
			seen->set("committed", _users->findUser(payload->getValue<Poco::Int64>("id")).isSpecified());
			std::lock_guard<std::mutex> lock(_mutex);
			_events->add(seen);
		});

		Router& router = context.router();
		router.add("GET", "/probe/events", [this](Request&, Response& response)
		{
			std::lock_guard<std::mutex> lock(_mutex);
			response.sendJson(200, _events);
		});
		router.add("GET", "/probe/token", [this](Request& request, Response& response)
		{
			answer(response, _users->userForToken(request.query("token")));
		});
		router.add("GET", "/probe/user/{id}", [this](Request& request, Response& response)
		{
			answer(response, _users->findUser(request.idParam("id")));
		});
		router.add("GET", "/probe/users", [this](Request&, Response& response)
		{
			Poco::JSON::Array::Ptr users = new Poco::JSON::Array;
			for (const User& user: _users->listUsers()) users->add(user.toJson());
			response.sendJson(200, users);
		});
		router.add("GET", "/probe/named/{name}", [this](Request& request, Response& response)
		{
			answer(response, _users->findUserByName(request.param("name")));
		});
		router.add("POST", "/probe/service/{name}", [this](Request& request, Response& response)
		{
			response.sendJson(200, _users->serviceAccount(request.param("name")).toJson());
		});
		router.add("POST", "/probe/whoami", [this](Request& request, Response& response)
		{
			response.sendJson(200, _users->authenticate(request).toJson());
		});
	}

private:
	static void answer(Response& response, const Poco::Optional<User>& user)
	{
		if (!user.isSpecified()) throw HttpError::notFound("no such user");
		response.sendJson(200, user.value().toJson());
	}

	std::shared_ptr<UserDirectory> _users;
	std::mutex _mutex;
	Poco::JSON::Array::Ptr _events;
};

} } // namespace Palaver::AuthProbe

PALAVER_PLUGIN(Palaver::AuthProbe::ProbePlugin)
