//
// WsPlugin.h
//

#ifndef Palaver_Ws_WsPlugin_INCLUDED
#define Palaver_Ws_WsPlugin_INCLUDED

#include "palaver/EventBus.h"
#include "palaver/PeriodicTask.h"
#include "palaver/Plugin.h"
#include "palaver/WebSocketEndpoint.h"
#include <memory>
#include <vector>

namespace Palaver {
namespace Ws {

class BusEvents;
class ChatHandler;
class Runtime;

/// WebSocket push: see plugins/ws/README.md.
class WsPlugin: public Plugin
{
public:
	WsPlugin();
	~WsPlugin() override;

	PluginInfo info() const override;
	void initialize(PluginContext& context) override;
	void start() override;
	void stop() override;
	/// Its connections stay open across a reload (ChatHandler::onResume()).
	bool reloadable() const override { return true; }
	/// The ReloadState of its connections, hub and nodes (after stop()).
	std::string saveState() override;
	/// After initialize(), before start(); a state it cannot read is ignored.
	void restoreState(const std::string& state) override;

private:
	/// How long stop() waits for the message store's callbacks into it.
	static constexpr int STORE_WAIT_MS = 10000;
	/// After a reload, how long the previous version's connections have to
	/// resume before their users who have none are offline (Hub::endPreviousVersion()).
	static constexpr int RESUME_GRACE_MS = 5000;

	PluginContext* _context = nullptr;
	std::shared_ptr<Runtime> _runtime;
	std::shared_ptr<ChatHandler> _handler;
	std::unique_ptr<BusEvents> _events;
	std::shared_ptr<WebSocketEndpoint> _endpoint;
	std::vector<EventBus::SubscriptionId> _subscriptions;
	std::unique_ptr<PeriodicTask> _resumeGrace;  /// after a reload: ends the previous version's presence once
};

} } // namespace Palaver::Ws

#endif
