// A test-only plugin for the messages integration tests: counts every
// "message.stored" event, and calls the MessageStore service the way the ws
// plugin does (post() and since()), through routes under /test/messagesprobe.
#include "palaver/EventBus.h"
#include "palaver/Events.h"
#include "palaver/HttpError.h"
#include "palaver/Plugin.h"
#include "palaver/PluginContext.h"
#include "palaver/Request.h"
#include "palaver/Response.h"
#include "palaver/Router.h"
#include "palaver/ServiceRegistry.h"
#include "palaver/services/MessageStore.h"
#include "palaver/services/UserDirectory.h"
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/NumberParser.h>
#include <map>
#include <mutex>
#include <sstream>

namespace Palaver {
namespace Testing {

class MessagesProbePlugin: public Plugin
{
public:
	PluginInfo info() const override
	{
		PluginInfo info;
		info.name = "messagesprobe";
		info.version = "0.0.1";
		info.needs = {"auth", "messages"};
		return info;
	}

	void initialize(PluginContext& context) override
	{
		auto users = context.services().require<UserDirectory>();
		auto store = context.services().require<MessageStore>();

		context.events().subscribe(Events::MESSAGE_STORED, [this](const std::string&, const Poco::JSON::Object::Ptr& payload)
		{
			std::ostringstream text;
			Poco::JSON::Stringifier::stringify(payload, text);
			std::lock_guard<std::mutex> lock(_mutex);
			const Poco::Int64 id = payload->getValue<Poco::Int64>("id");
			++_seen[id];
			if (id < _lastId) ++_outOfOrder;
			_lastId = id;
			_lastPayload = text.str();
		});

		// {"events": N, "distinct": D, "duplicates": X, "outOfOrder": O, "last": "<payload JSON>"}
		context.router().add("GET", "/test/messagesprobe", [this](Request&, Response& response)
		{
			std::lock_guard<std::mutex> lock(_mutex);
			Poco::Int64 events = 0;
			Poco::Int64 duplicates = 0;
			for (const auto& entry: _seen)
			{
				events += entry.second;
				if (entry.second > 1) duplicates += entry.second - 1;
			}
			Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
			body->set("events", events);
			body->set("distinct", static_cast<Poco::Int64>(_seen.size()));
			body->set("duplicates", duplicates);
			body->set("outOfOrder", _outOfOrder);
			body->set("last", _lastPayload);
			response.sendJson(200, body);
		});

		// MessageStore::post() as another plugin calls it: field "text".
		context.router().add("POST", "/test/messagesprobe/post/{toUserId}", [users, store](Request& request, Response& response)
		{
			const User caller = users->authenticate(request);
			Poco::Int64 to = 0;
			if (!Poco::NumberParser::tryParse64(request.param("toUserId"), to))
				throw HttpError::notFound();
			refusalAs403([&] { response.sendJson(201, store->post(caller, to, request.form().get("text")).toJson()); });
		});

		// Posting as another user: as the service account "probebot", which
		// the probe obtains with serviceAccount() (own=1) or only finds by
		// name; as "probebot" with postAsync() when async=1. A refusal
		// (Poco::NoPermissionException) answers 403 with its message.
		context.router().add("POST", "/test/messagesprobe/bot/{toUserId}", [users, store](Request& request, Response& response)
		{
			Poco::Int64 to = 0;
			if (!Poco::NumberParser::tryParse64(request.param("toUserId"), to))
				throw HttpError::notFound();
			const std::string account = request.form().get("account");
			const User bot = request.query("own") == "1" ? users->serviceAccount(account) : users->findUserByName(account).value();
			refusalAs403([&]
			{
				if (request.query("async") != "1")
					return response.sendJson(201, store->post(bot, to, request.form().get("text")).toJson());
				store->postAsync(bot, to, request.form().get("text"), [](const Message*, const HttpError*) {});
				response.sendJson(202, Poco::JSON::Object::Ptr(new Poco::JSON::Object));
			});
		});

		// MessageStore::since() for the caller: ?since=ID&limit=N.
		context.router().add("GET", "/test/messagesprobe/since", [users, store](Request& request, Response& response)
		{
			const User caller = users->authenticate(request);
			const auto messages = store->since(caller.id,
				Poco::NumberParser::parse64(request.query("since", "0")),
				static_cast<std::size_t>(Poco::NumberParser::parse64(request.query("limit", "1000"))));
			Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
			for (const auto& message: messages) array->add(message.toJson());
			response.sendJson(200, array);
		});
	}

private:
	/// Runs call; MessageStore's refusal to act as a user answers 403 with its message.
	template <class Call>
	static void refusalAs403(Call call)
	{
		try
		{
			call();
		}
		catch (const Poco::NoPermissionException& e)
		{
			throw HttpError(403, "forbidden", e.message());
		}
	}

	std::mutex _mutex;
	std::map<Poco::Int64, Poco::Int64> _seen;
	Poco::Int64 _lastId = 0;
	Poco::Int64 _outOfOrder = 0;
	std::string _lastPayload;
};

} } // namespace Palaver::Testing

PALAVER_PLUGIN(Palaver::Testing::MessagesProbePlugin)
