//
// Core.h
//

#ifndef Palaver_Server_Core_INCLUDED
#define Palaver_Server_Core_INCLUDED

#include "ConfigLoader.h"
#include "palaver/PluginInfo.h"
#include <Poco/Logger.h>
#include <Poco/Util/LayeredConfiguration.h>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace Palaver {

class WorkerPool;

class OriginPolicy;

namespace Server {

class AdminServer;
class ClusterBus;
class DatabaseImpl;
class EventBusImpl;
class Transport;
class MetricsImpl;
class PluginLoader;
class PluginRuntime;
class PluginSettings;
class RouterImpl;
class ServiceRegistryImpl;

/// Everything palaverd runs, in the order it runs it:
/// loadConfiguration(), loadPlugins(), initialize(), start(), stop().
class Core
{
public:
	Core(Poco::Util::LayeredConfiguration& config, const std::string& configFile, std::map<std::string, std::string> overrides);
	~Core();

	/// Reads palaver.ini and plugins.d/*.ini. Throws ConfigException.
	void loadConfiguration();

	/// Loads the enabled plugins' libraries and orders them, checks their
	/// sections against their declared settings (unknown keys are logged as
	/// warnings); initialises nothing. Throws ConfigException, and
	/// PluginException ([plugins] on_failure = refuse, the default) or leaves
	/// refused plugins out (skip).
	void loadPlugins();

	/// The loaded plugins, in initialisation order.
	const std::vector<PluginInfo>& plugins() const { return _pluginInfos; }

	/// Opens the database and the HTTP listener, initialises every plugin.
	/// Throws PluginException naming a plugin whose initialize() threw
	/// (unless [plugins] on_failure = skip).
	void initialize();

	/// Starts the plugins, then serves HTTP; palaverctl plugins enable,
	/// disable and reload act on the running plugins from then on.
	void start();

	/// Stops serving HTTP (requests in flight finish), then the plugins in reverse order.
	void stop();

	/// SIGHUP: re-reads the configuration files and tells the plugins.
	void reload();

	Poco::UInt16 httpPort() const;

	/// [server] admin_socket, by default <state_dir>/admin.sock ("": none).
	static std::string adminSocketPath(const Poco::Util::AbstractConfiguration& config);

private:
	/// palaverctl plugins enable|disable|reload|config NAME on the admin socket.
	void addPluginCommands();

	Poco::Util::LayeredConfiguration& _config;
	Poco::Logger& _logger;
	ConfigLoader _configLoader;
	std::unique_ptr<PluginLoader> _pluginLoader;
	std::unique_ptr<PluginSettings> _settings;
	std::vector<PluginInfo> _pluginInfos;
	std::unique_ptr<DatabaseImpl> _database;
	std::unique_ptr<RouterImpl> _router;
	std::unique_ptr<EventBusImpl> _events;
	std::unique_ptr<ClusterBus> _cluster;
	std::unique_ptr<ServiceRegistryImpl> _services;
	std::unique_ptr<MetricsImpl> _metrics;
	std::unique_ptr<OriginPolicy> _origins;
	std::unique_ptr<Transport> _http;
	std::shared_ptr<AdminServer> _admin;
	std::unique_ptr<WorkerPool> _work;  /// the plugins' WorkQueue threads
	std::unique_ptr<PluginRuntime> _runtime;
	bool _skipRefused = false;
};

} } // namespace Palaver::Server

#endif
