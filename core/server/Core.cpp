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
#include "PluginSettings.h"
#include "RouterImpl.h"
#include "ServiceRegistryImpl.h"
#include "Transport.h"
#include "WebSocketsImpl.h"
#include "palaver/OriginPolicy.h"
#include <Poco/File.h>

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
	_contexts.clear();
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
	_pluginLoader->load(_configLoader.plugins(), _config);
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
	CoreRoutes::add(*_router, *_database, *_metrics, _pluginInfos, _config);
	if (ClusterBus::configured(_config))
		_cluster.reset(new ClusterBus(_config, *_events, *_metrics, Poco::Logger::get("palaver.cluster")));

	_admin = std::make_shared<AdminServer>(Poco::Logger::get("palaver.admin"));
	Poco::Util::AbstractConfiguration& config = _config;
	_admin->add("backup", "FILE", [&config](const std::vector<std::string>& arguments)
	{
		if (arguments.size() != 1) throw Poco::InvalidArgumentException("usage: palaverctl backup FILE");
		return Backup::run(config, arguments[0]);
	});
	const std::vector<PluginInfo>& plugins = _pluginInfos;
	_admin->add("plugins config", "NAME", [&config, &plugins](const std::vector<std::string>& arguments)
	{
		if (arguments.size() != 1) throw Poco::InvalidArgumentException("usage: palaverctl plugins config NAME");
		for (const auto& plugin: plugins)
			if (plugin.name == arguments[0]) return PluginSettings::describe(plugin, config);
		throw Poco::NotFoundException("no plugin '" + arguments[0] + "' is loaded");
	});
	_services->offer<AdminCommands>(_admin);
	_services->offer<WebSockets>(std::make_shared<WebSocketsImpl>(*_http));

	const CoreServices core{&_config, _database.get(), _router.get(), _events.get(), _services.get(), _metrics.get(), _origins.get()};
	for (auto& loaded: _pluginLoader->plugins())
	{
		_contexts.emplace_back(new PluginContextImpl(loaded.info.name, core));
		try
		{
			loaded.plugin->initialize(*_contexts.back());
		}
		catch (Poco::Exception& e)
		{
			throw PluginException("plugin '" + loaded.info.name + "' failed to initialise: " + e.displayText());
		}
		catch (std::exception& e)
		{
			throw PluginException("plugin '" + loaded.info.name + "' failed to initialise: " + e.what());
		}
		++_initialized;
		_logger.information("plugin %s %s initialised", loaded.info.name, loaded.info.version);
	}
}

void Core::start()
{
	// Before the plugins: their first events already reach the other nodes.
	if (_cluster) _cluster->start();
	for (auto& loaded: _pluginLoader->plugins())
	{
		try
		{
			loaded.plugin->start();
		}
		catch (Poco::Exception& e)
		{
			throw PluginException("plugin '" + loaded.info.name + "' failed to start: " + e.displayText());
		}
	}
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
	auto& plugins = _pluginLoader->plugins();
	// Every initialised plugin gets stop(), in reverse order, even if start() never came.
	for (std::size_t i = _initialized; i-- > 0;)
	{
		try
		{
			plugins[i].plugin->stop();
		}
		catch (Poco::Exception& e)
		{
			_logger.error("plugin %s failed to stop: %s", plugins[i].info.name, e.displayText());
		}
	}
	_initialized = 0;
	if (_cluster) _cluster->stop();
}

void Core::reload()
{
	_configLoader.load();
	for (const auto& warning: _settings->apply(_pluginInfos)) _logger.warning(warning);
	for (std::size_t i = 0; i < _initialized; ++i)
	{
		auto& loaded = _pluginLoader->plugins()[i];
		try
		{
			loaded.plugin->reconfigure(_contexts[i]->config());
		}
		catch (Poco::Exception& e)
		{
			_logger.error("plugin %s failed to reconfigure: %s", loaded.info.name, e.displayText());
		}
	}
}

Poco::UInt16 Core::httpPort() const
{
	return _http ? _http->port() : 0;
}

} } // namespace Palaver::Server
