//
// GroupsPlugin.h
//

#ifndef Palaver_Groups_GroupsPlugin_INCLUDED
#define Palaver_Groups_GroupsPlugin_INCLUDED

#include "palaver/EventBus.h"
#include "palaver/Plugin.h"
#include <memory>
#include <vector>

namespace Palaver {

class ClientFrames;

namespace Groups {

class GroupRepository;
class GroupRoutes;
class GroupService;

/// Group chats (PROTOCOL.md "Groups"), written on the public SDK only: its
/// own tables, routes and frames; messages through MessageStore, frames
/// through Pusher, ClientFrames and "ws.deliver". docs/PLUGINS.md walks
/// through it as an example.
class GroupsPlugin: public Plugin
{
public:
	GroupsPlugin();
	~GroupsPlugin() override;

	PluginInfo info() const override;
	void initialize(PluginContext& context) override;
	void start() override;
	void stop() override;
	/// Its frame handlers go back to ws in stop(), where its threads stop too.
	bool reloadable() const override { return true; }

private:
	PluginContext* _context = nullptr;
	std::unique_ptr<GroupRepository> _repository;
	std::shared_ptr<GroupService> _service;
	std::unique_ptr<GroupRoutes> _routes;
	std::vector<EventBus::SubscriptionId> _subscriptions;
	std::shared_ptr<ClientFrames> _frames;  /// the ws plugin's, while its handlers are added
};

} } // namespace Palaver::Groups

#endif
