#include "WsPlugin.h"
#include "WsServer.h"
#include "palaver/Metrics.h"
#include "palaver/PluginContext.h"
#include "palaver/Request.h"
#include "palaver/Response.h"
#include "palaver/Router.h"
#include "palaver/ServiceRegistry.h"
#include <Poco/Logger.h>

namespace Palaver {
namespace Ws {

WsPlugin::WsPlugin() = default;

WsPlugin::~WsPlugin()
{
	if (_server) _server->stop();
}

PluginInfo WsPlugin::info() const
{
	PluginInfo info;
	info.name = "ws";
	info.version = "1.0.0";
	info.needs = {"auth"};
	info.uses = {"messages"};
	return info;
}

void WsPlugin::initialize(PluginContext& context)
{
	_context = &context;
	const Settings settings = Settings::fromConfig(context.config());
	Metrics& metrics = context.metrics();
	Gauge& connections = metrics.gauge("palaver_ws_connections", "Open WebSocket connections.");
	Counter& framesIn = metrics.counter("palaver_ws_frames_in_total", "WebSocket frames received.");
	Counter& framesOut = metrics.counter("palaver_ws_frames_out_total", "WebSocket frames sent.");
	auto directory = context.services().require<UserDirectory>();
	auto store = context.services().find<MessageStore>();
	if (!store) context.logger().warning("ws: no messages plugin: chatmsg frames and ?since replays are refused");

	auto runtime = std::make_shared<Runtime>(settings, context.logger(), context.origins(),
		framesIn, framesOut, connections, directory, store);
	runtime->events = &context.events();
	runtime->services = &context.services();
	_server = std::make_unique<WsServer>(runtime);
	context.services().offer<Pusher>(std::static_pointer_cast<Pusher>(_server->pusher()));
	context.services().offer<ClientFrames>(std::static_pointer_cast<ClientFrames>(runtime->frames));

	WsServer* server = _server.get();
	_subscriptions.push_back(context.events().subscribe("user.registered",
		[server](const std::string&, const Poco::JSON::Object::Ptr& payload) { server->onUser(payload, "usermsg"); }));
	_subscriptions.push_back(context.events().subscribe("user.updated",
		[server](const std::string&, const Poco::JSON::Object::Ptr& payload) { server->onUser(payload, "userupdate"); }));
	_subscriptions.push_back(context.events().subscribe("message.stored",
		[server](const std::string&, const Poco::JSON::Object::Ptr& payload) { server->onMessageStored(payload); }));
	_subscriptions.push_back(context.events().subscribe("message.updated",
		[server](const std::string&, const Poco::JSON::Object::Ptr& payload) { server->onMessageUpdated(payload); }));
	_subscriptions.push_back(context.events().subscribe("session.ended",
		[server](const std::string&, const Poco::JSON::Object::Ptr& payload) { server->onSessionEnded(payload); }));
	// Typing and receipts: see Runtime::push ([cluster] carries them between nodes).
	_subscriptions.push_back(context.events().subscribe("ws.deliver",
		[server](const std::string&, const Poco::JSON::Object::Ptr& payload) { server->onPush(payload); }));
	// Presence across nodes: this node's changes go out as events (the
	// listener runs under the hub's lock, so they leave in order).
	EventBus* events = &context.events();
	runtime->hub.setPresenceListener([events](Poco::Int64 userId, bool online)
	{
		Poco::JSON::Object::Ptr presence = new Poco::JSON::Object;
		presence->set("userId", userId);
		presence->set("online", online);
		events->publish("ws.presence", presence);
	});
	_subscriptions.push_back(context.events().subscribe("ws.presence",
		[server](const std::string&, const Poco::JSON::Object::Ptr& payload) { server->onPresence(payload); }));
	_subscriptions.push_back(context.events().subscribe("ws.presence.snapshot",
		[server](const std::string&, const Poco::JSON::Object::Ptr& payload) { server->onPresenceSnapshot(payload); }));
	_subscriptions.push_back(context.events().subscribe("cluster.node_up",
		[server](const std::string&, const Poco::JSON::Object::Ptr& payload) { server->onNodeUp(payload); }));
	_subscriptions.push_back(context.events().subscribe("cluster.heartbeat",
		[server](const std::string&, const Poco::JSON::Object::Ptr& payload) { server->onHeartbeat(payload); }));
	if (settings.httpRoute)
	{
		context.router().add("GET", "/ws", [server](Request& request, Response& response) { server->upgrade(request, response); });
	}
}

void WsPlugin::start()
{
	_server->start();
}

void WsPlugin::stop()
{
	if (_context)
	{
		for (auto id: _subscriptions) _context->events().unsubscribe(id);
	}
	_subscriptions.clear();
	if (_server) _server->stop();
}

} } // namespace Palaver::Ws

PALAVER_PLUGIN(Palaver::Ws::WsPlugin)
