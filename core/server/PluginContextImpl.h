//
// PluginContextImpl.h
//

#ifndef Palaver_Server_PluginContextImpl_INCLUDED
#define Palaver_Server_PluginContextImpl_INCLUDED

#include "palaver/PluginContext.h"
#include <Poco/AutoPtr.h>
#include <Poco/Timespan.h>
#include <Poco/Util/AbstractConfiguration.h>
#include <memory>
#include <string>
#include <vector>

namespace Palaver {

class WorkerPool;

namespace Server {

class AdminServer;
class PluginGate;
class PluginWork;
class RouterImpl;
class ScopedAdminCommands;
class ScopedEvents;
class ScopedRouter;
class ScopedServices;
class ScopedWebSockets;
class ServiceRegistryImpl;
class WebSocketEndpointImpl;
class WebSocketsImpl;

/// What the core shares with every plugin; each plugin gets its own context
/// with its own configuration view, logger and state folder.
struct CoreServices
{
	Poco::Util::AbstractConfiguration* config;
	Database* database;
	RouterImpl* router;
	EventBus* events;
	ServiceRegistryImpl* services;
	Metrics* metrics;
	const OriginPolicy* origins;
	AdminServer* admin;
	std::shared_ptr<WebSocketsImpl> webSockets;
	WorkerPool* work;                /// the plugins' WorkQueue threads ([work])
	std::size_t workPerPlugin;       /// [work] max_per_plugin
};

/// One plugin's context. Everything the plugin registers through it (routes,
/// event subscribers, services, admin commands) is recorded and guarded by
/// the plugin's PluginGate, so that stopping the plugin undoes exactly that
/// and no call reaches its code once it is unloaded: withdraw(), then
/// waitIdle(), then (after Plugin::stop()) dropConnectionContexts() and
/// release(). Its WebSocket endpoints outlive it with their connections,
/// for its next version (ScopedWebSockets).
class PluginContextImpl: public PluginContext
{
public:
	/// endpoints: the WebSocket endpoints of the plugin's previous version (webSocketEndpoints()).
	PluginContextImpl(const std::string& pluginName, const CoreServices& core,
		std::vector<std::shared_ptr<WebSocketEndpointImpl>> endpoints = {});
	~PluginContextImpl() override;

	const Poco::Util::AbstractConfiguration& config() const override { return *_section; }
	const Poco::Util::AbstractConfiguration& serverConfig() const override { return *_core.config; }
	Poco::Logger& logger() const override { return _logger; }
	std::string stateDirectory() const override;
	Database& database() const override { return *_core.database; }
	Router& router() const override;
	EventBus& events() const override;
	ServiceRegistry& services() const override;
	Metrics& metrics() const override { return *_core.metrics; }
	const OriginPolicy& origins() const override { return *_core.origins; }

	/// Takes the plugin's routes, subscribers, services and admin commands
	/// away and turns away the calls that had already found them; detaches
	/// its WebSocket endpoints.
	void withdraw();

	/// Waits for the plugin's calls in flight to return (WebSocket upgrades
	/// included), then for its WorkQueue tasks to run (closed by withdraw());
	/// false after timeout.
	bool waitIdle(const Poco::Timespan& timeout);

	/// After Plugin::stop(): drops its WebSocket connections' contexts; false after timeout.
	bool dropConnectionContexts(const Poco::Timespan& timeout);

	/// After Plugin::start(): hands the connections of its previous version's
	/// endpoints to its handlers (WebSocketHandler::onResume()).
	void resumeWebSockets();

	/// The WebSocket endpoints it made or took over, for its next version.
	std::vector<std::shared_ptr<WebSocketEndpointImpl>> webSocketEndpoints() const;

	/// Destroys the callbacks the plugin registered (their code is the
	/// plugin's: before its library is unloaded).
	void release();

	/// Services it offered that something still holds after it was destroyed.
	std::vector<std::string> servicesStillHeld() const;

private:
	std::string _name;
	CoreServices _core;
	Poco::AutoPtr<Poco::Util::AbstractConfiguration> _section;
	Poco::Logger& _logger;
	const std::shared_ptr<PluginGate> _gate;
	std::unique_ptr<ScopedRouter> _router;
	std::unique_ptr<ScopedEvents> _events;
	std::shared_ptr<ScopedAdminCommands> _admin;
	std::shared_ptr<ScopedWebSockets> _webSockets;
	std::shared_ptr<PluginWork> _work;
	std::unique_ptr<ScopedServices> _services;
};

} } // namespace Palaver::Server

#endif
