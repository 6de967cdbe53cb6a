// hellobot: an example of a third-party plugin. It adds a route, GET /hellobot,
// and reacts to every stored message: one whose text starts with "/hello"
// gets an answer, pushed live to the sender's WebSocket connections.
#include <palaver/EventBus.h>
#include <palaver/Events.h>
#include <palaver/Message.h>
#include <palaver/Plugin.h>
#include <palaver/PluginContext.h>
#include <palaver/Request.h>
#include <palaver/Response.h>
#include <palaver/Router.h>
#include <palaver/ServiceRegistry.h>
#include <palaver/services/Pusher.h>
#include <palaver/services/UserDirectory.h>
#include <Poco/JSON/Object.h>
#include <Poco/Logger.h>
#include <Poco/Util/AbstractConfiguration.h>
#include <atomic>
#include <sstream>

namespace HelloBot {

class HelloBotPlugin: public Palaver::Plugin
{
public:
	Palaver::PluginInfo info() const override
	{
		Palaver::PluginInfo info;
		info.name = "hellobot";
		info.version = "1.0.0";
		info.needs = {"auth"};     // who is asking, for the route
		info.uses = {"ws"};        // pushes answers when WebSockets are there
		return info;
	}

	void initialize(Palaver::PluginContext& context) override
	{
		_greeting = context.config().getString("greeting", "Hello");
		_users = context.services().require<Palaver::UserDirectory>();
		_pusher = context.services().find<Palaver::Pusher>();
		_logger = &context.logger();

		context.router().add("GET", "/hellobot", [this](Palaver::Request& request, Palaver::Response& response)
		{
			const Palaver::User user = _users->authenticate(request);
			Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
			body->set("greeting", _greeting + ", " + user.userName);
			body->set("messagesSeen", _seen.load());
			response.sendJson(200, body);
		});

		context.events().subscribe(Palaver::Events::MESSAGE_STORED, [this](const std::string&, const Poco::JSON::Object::Ptr& payload)
		{
			// Subscribers run on the publisher's thread: only quick work here.
			++_seen;
			const Palaver::Message message = Palaver::Message::fromJson(*payload);
			if (_pusher && message.text.rfind("/hello", 0) == 0)
			{
				Poco::JSON::Object frame;
				frame.set("type", "bot");
				frame.set("from", "hellobot");
				frame.set("text", _greeting + ", " + message.fromUserName + "!");
				std::ostringstream text;
				frame.stringify(text);
				_pusher->pushToUser(message.fromUserId, text.str());
			}
		});
	}

	void start() override
	{
		_logger->information("hellobot ready%s", std::string(_pusher ? "" : " (no ws plugin: answers are not pushed)"));
	}

private:
	std::string _greeting;
	std::shared_ptr<Palaver::UserDirectory> _users;
	std::shared_ptr<Palaver::Pusher> _pusher;
	Poco::Logger* _logger = nullptr;
	std::atomic<long> _seen{0};
};

} // namespace HelloBot

PALAVER_PLUGIN(HelloBot::HelloBotPlugin)
