#include "WsPlugin.h"
#include "BusEvents.h"
#include "ChatHandler.h"
#include "ReloadState.h"
#include "palaver/Events.h"
#include "palaver/Metrics.h"
#include "palaver/PluginContext.h"
#include "palaver/ServiceRegistry.h"
#include "palaver/services/WebSockets.h"
#include <Poco/Logger.h>
#include <Poco/Net/SocketAddress.h>
#include <atomic>
#include <chrono>

namespace Palaver {
namespace Ws {

WsPlugin::WsPlugin() = default;

WsPlugin::~WsPlugin()
{
	stop();
}

PluginInfo WsPlugin::info() const
{
	PluginInfo info;
	info.name = "ws";
	info.version = "1.0.0";
	info.needs = {"auth"};
	info.uses = {"messages"};
	info.settings = Settings::declarations();
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

	_runtime = std::make_shared<Runtime>(settings, context.logger(), context.origins(),
		framesIn, framesOut, connections, directory, store);
	_runtime->events = &context.events();
	_runtime->services = &context.services();
	// The Pusher shares the runtime's lifetime: valid for whoever holds it.
	context.services().offer<Pusher>(std::shared_ptr<Pusher>(_runtime, &_runtime->hub));
	context.services().offer<ClientFrames>(std::static_pointer_cast<ClientFrames>(_runtime->frames));

	// The core serves the connections: the listener, the upgrade on /ws,
	// framing, pings, limits; the handler speaks the chat protocol.
	_handler = std::make_shared<ChatHandler>(_runtime);
	_endpoint = context.services().require<WebSockets>()->create(_handler, settings.endpointOptions());
	if (settings.httpRoute) _endpoint->mount("/ws");
	if (settings.listen)
	{
		const Poco::UInt16 port = _endpoint->listen(Poco::Net::SocketAddress(settings.address, settings.port));
		context.logger().information("ws: listening on %s:%hu", settings.address, port);
	}

	_events = std::make_unique<BusEvents>(_runtime);
	BusEvents* bus = _events.get();
	_subscriptions.push_back(context.events().subscribe(Events::USER_REGISTERED,
		[bus](const std::string&, const Poco::JSON::Object::Ptr& payload) { bus->onUser(payload, "usermsg"); }));
	_subscriptions.push_back(context.events().subscribe(Events::USER_UPDATED,
		[bus](const std::string&, const Poco::JSON::Object::Ptr& payload) { bus->onUser(payload, "userupdate"); }));
	_subscriptions.push_back(context.events().subscribe(Events::MESSAGE_STORED,
		[bus](const std::string&, const Poco::JSON::Object::Ptr& payload) { bus->onMessageStored(payload); }));
	_subscriptions.push_back(context.events().subscribe(Events::MESSAGE_UPDATED,
		[bus](const std::string&, const Poco::JSON::Object::Ptr& payload) { bus->onMessageUpdated(payload); }));
	_subscriptions.push_back(context.events().subscribe(Events::GROUP_MEMBERS,
		[bus](const std::string&, const Poco::JSON::Object::Ptr& payload) { bus->onGroupMembers(payload); }));
	_subscriptions.push_back(context.events().subscribe(Events::SESSION_ENDED,
		[bus](const std::string&, const Poco::JSON::Object::Ptr& payload) { bus->onSessionEnded(payload); }));
	// Typing and receipts: see Runtime::push ([cluster] carries them between nodes).
	_subscriptions.push_back(context.events().subscribe(Events::WS_DELIVER,
		[bus](const std::string&, const Poco::JSON::Object::Ptr& payload) { bus->onPush(payload); }));
	// Presence across nodes: this node's changes go out as events (the
	// listener runs under the hub's lock, so they leave in order).
	EventBus* events = &context.events();
	_runtime->hub.setPresenceListener([events](Poco::Int64 userId, bool online)
	{
		Poco::JSON::Object::Ptr presence = new Poco::JSON::Object;
		presence->set("userId", userId);
		presence->set("online", online);
		events->publish(Events::WS_PRESENCE, presence);
	});
	_subscriptions.push_back(context.events().subscribe(Events::WS_PRESENCE,
		[bus](const std::string&, const Poco::JSON::Object::Ptr& payload) { bus->onPresence(payload); }));
	_subscriptions.push_back(context.events().subscribe(Events::WS_PRESENCE_SNAPSHOT,
		[bus](const std::string&, const Poco::JSON::Object::Ptr& payload) { bus->onPresenceSnapshot(payload); }));
	_subscriptions.push_back(context.events().subscribe(Events::CLUSTER_NODE_UP,
		[bus](const std::string&, const Poco::JSON::Object::Ptr& payload) { bus->onNodeUp(payload); }));
	_subscriptions.push_back(context.events().subscribe(Events::CLUSTER_HEARTBEAT,
		[bus](const std::string&, const Poco::JSON::Object::Ptr& payload) { bus->onHeartbeat(payload); }));
}

void WsPlugin::start()
{
	_runtime->workers.start();
	_runtime->hub.setEndpoint(_endpoint);
	_handler->start();
	if (_resumeGrace) _resumeGrace->start();
}

void WsPlugin::stop()
{
	if (_context)
	{
		for (auto id: _subscriptions) _context->events().unsubscribe(id);
	}
	_subscriptions.clear();
	if (_resumeGrace) _resumeGrace->stop();
	if (!_runtime) return;
	// No client frame reaches it any more (the core has closed the
	// connections at shutdown, or holds their frames during a reload).
	// The workers finish what was queued (messages being stored); then
	// nothing more is sent (Hub::setEndpoint).
	_handler->stop();
	_runtime->workers.stop();
	_runtime->hub.setEndpoint(nullptr);
	if (!_runtime->waitStored(STORE_WAIT_MS))
		_runtime->logger.warning("ws: messages still being stored after %d ms at stop", STORE_WAIT_MS);
}

std::string WsPlugin::saveState()
{
	if (!_runtime) return std::string();
	ReloadState state;
	_handler->saveTo(state);
	_runtime->hub.saveTo(state);
	_events->saveTo(state);
	return state.toJson();
}

void WsPlugin::restoreState(const std::string& saved)
{
	if (!_runtime) return;
	const ReloadState state = ReloadState::fromJson(saved);
	_handler->restoreFrom(state);
	_runtime->hub.restoreFrom(state);
	_events->restoreFrom(state);
	// Its first run is one grace after start(); the later ones find nothing to do.
	Runtime* runtime = _runtime.get();
	auto ended = std::make_shared<std::atomic<bool>>(false);
	_resumeGrace = std::make_unique<PeriodicTask>("ws-resume-grace", "ws: presence of the previous version's users",
		std::chrono::milliseconds(RESUME_GRACE_MS), [runtime, ended]
		{
			if (!ended->exchange(true)) runtime->hub.endPreviousVersion();
		}, _runtime->logger);
}

} } // namespace Palaver::Ws

PALAVER_PLUGIN(Palaver::Ws::WsPlugin)
