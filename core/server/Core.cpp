#include "Core.h"
#include "AdminServer.h"
#include "Backup.h"
#include "ClusterBus.h"
#include "CoreRoutes.h"
#include "DatabaseImpl.h"
#include "EventBusImpl.h"
#include "MetricsImpl.h"
#include "PluginContextImpl.h"
#include "PluginLoader.h"
#include "PluginRuntime.h"
#include "PluginSettings.h"
#include "RouterImpl.h"
#include "ServiceRegistryImpl.h"
#include "Transport.h"
#include "WebSocketsImpl.h"
#include "palaver/OriginPolicy.h"
#include "palaver/WorkerPool.h"
#include <Poco/File.h>
#include <algorithm>

namespace Palaver {
namespace Server {

Core::Core(Poco::Util::LayeredConfiguration& config, const std::string& configFile, std::map<std::string, std::string> overrides):
	_config(config),
	_logger(Poco::Logger::get("palaver.core")),
	_configLoader(config, configFile, std::move(overrides)),
	_pluginLoader(new PluginLoader),
	_settings(new PluginSettings(config)),
	_router(new RouterImpl),
	_events(new EventBusImpl(Poco::Logger::get("palaver.events"))),
	_services(new ServiceRegistryImpl),
	_metrics(new MetricsImpl)
{
}

Core::~Core()
{
	stop();
	_http.reset();
	_runtime.reset();
	// Services and subscribers hold plugin code: drop them before the libraries go.
	_services->clear();
	_admin.reset();
	_cluster.reset();
	_events.reset();
	_router.reset();
	_pluginLoader.reset();
	_database.reset();
}

void Core::loadConfiguration()
{
	_configLoader.load();
}

void Core::loadPlugins()
{
	const std::string onFailure = _config.getString("plugins.on_failure", "refuse");
	if (onFailure != "refuse" && onFailure != "skip")
		throw PluginException("[plugins] on_failure is '" + onFailure + "'; it must be refuse or skip");
	_skipRefused = onFailure == "skip";
	_pluginLoader->load(_configLoader.plugins(), _config, _skipRefused);
	for (const auto& refusal: _pluginLoader->refused())
		_logger.error("%s; left out ([plugins] on_failure = skip)", refusal.reason);
	for (const auto& loaded: _pluginLoader->plugins())
		_pluginInfos.push_back(loaded.info);
	for (const auto& warning: _settings->apply(_pluginInfos)) _logger.warning(warning);
}

void Core::initialize()
{
	Poco::File(_config.getString("server.state_dir", "var")).createDirectories();
	_database.reset(new DatabaseImpl(_config, Poco::Logger::get("palaver.database")));
	_origins.reset(new OriginPolicy(_config));
	_http.reset(new Transport(_config, *_router, *_metrics, *_origins));
	if (ClusterBus::configured(_config))
		_cluster.reset(new ClusterBus(_config, *_events, *_metrics, Poco::Logger::get("palaver.cluster")));

	_admin = std::make_shared<AdminServer>(Poco::Logger::get("palaver.admin"));
	Poco::Util::AbstractConfiguration& config = _config;
	_admin->add("backup", "FILE", [&config](const std::vector<std::string>& arguments)
	{
		if (arguments.size() != 1) throw Poco::InvalidArgumentException("usage: palaverctl backup FILE");
		return Backup::run(config, arguments[0]);
	});
	_services->offer<AdminCommands>(_admin);
	auto webSockets = std::make_shared<WebSocketsImpl>(*_http);
	_services->offer<WebSockets>(webSockets);

	// The plugins' WorkQueue: one runner per plugin with tasks (PluginWork).
	_work.reset(new WorkerPool(static_cast<std::size_t>(std::max(1, _config.getInt("work.threads", 2))),
		static_cast<std::size_t>(std::max(1, _config.getInt("work.max_queue", 10000))), "plugin-work"));
	_work->start();
	const CoreServices core{&_config, _database.get(), _router.get(), _events.get(), _services.get(), _metrics.get(), _origins.get(),
		_admin.get(), webSockets, _work.get(), static_cast<std::size_t>(std::max(1, _config.getInt("work.max_per_plugin", 10000)))};
	_runtime.reset(new PluginRuntime(*_pluginLoader, _configLoader, *_settings, core, _config, _logger));
	CoreRoutes::add(*_router, *_database, *_metrics, *_runtime, _config);
	addPluginCommands();
	_runtime->initialize(_skipRefused);
}

void Core::addPluginCommands()
{
	PluginRuntime& runtime = *_runtime;
	const Poco::Util::AbstractConfiguration& config = _config;
	_admin->add("plugins config", "NAME", [&runtime, &config](const std::vector<std::string>& arguments)
	{
		if (arguments.size() != 1) throw Poco::InvalidArgumentException("usage: palaverctl plugins config NAME");
		for (const auto& plugin: runtime.plugins())
			if (plugin.name == arguments[0]) return PluginSettings::describe(plugin, config);
		throw Poco::NotFoundException("no plugin '" + arguments[0] + "' is running");
	});
	const std::pair<const char*, std::string (PluginRuntime::*)(const std::string&)> commands[] = {
		{"enable", &PluginRuntime::enable}, {"disable", &PluginRuntime::disable}, {"reload", &PluginRuntime::reload}};
	for (const auto& command: commands)
	{
		const std::string verb = command.first;
		const auto action = command.second;
		_admin->add("plugins " + verb, "NAME", [&runtime, verb, action](const std::vector<std::string>& arguments)
		{
			if (arguments.size() != 1) throw Poco::InvalidArgumentException("usage: palaverctl plugins " + verb + " NAME");
			return (runtime.*action)(arguments[0]);
		});
	}
}

void Core::start()
{
	// Before the plugins: their first events already reach the other nodes.
	if (_cluster) _cluster->start();
	_runtime->start(_skipRefused);
	_http->start();
	_logger.information("serving HTTP on %s:%hu", _config.getString("http.address", "127.0.0.1"), _http->port());
	const std::string adminSocket = adminSocketPath(_config);
	try
	{
		if (!adminSocket.empty()) _admin->start(adminSocket);
	}
	catch (Poco::Exception& e)
	{
		// Serving users matters more than administration.
		_logger.error("no admin socket on %s (palaverctl users, invite and backup will fail): %s", adminSocket, e.displayText());
	}
}

std::string Core::adminSocketPath(const Poco::Util::AbstractConfiguration& config)
{
	return config.getString("server.admin_socket", config.getString("server.state_dir", "var") + "/admin.sock");
}

void Core::stop()
{
	if (_admin) _admin->stop();
	if (_http) _http->stop(_config.getInt("http.drain_timeout", 10));
	if (_runtime) _runtime->stop();
	if (_work) _work->stop();
	if (_cluster) _cluster->stop();
}

void Core::reload()
{
	if (_runtime)
	{
		_runtime->reconfigure();
		return;
	}
	_configLoader.load();
	for (const auto& warning: _settings->apply(_pluginInfos)) _logger.warning(warning);
}

Poco::UInt16 Core::httpPort() const
{
	return _http ? _http->port() : 0;
}

} } // namespace Palaver::Server
