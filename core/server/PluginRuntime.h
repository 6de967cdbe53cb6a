//
// PluginRuntime.h
//

#ifndef Palaver_Server_PluginRuntime_INCLUDED
#define Palaver_Server_PluginRuntime_INCLUDED

#include "ConfigLoader.h"
#include "PluginContextImpl.h"
#include "PluginLoader.h"
#include "PluginSettings.h"
#include <Poco/JSON/Object.h>
#include <Poco/Logger.h>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace Palaver {
namespace Server {

/// The plugins that run, and their lifecycle: initialisation and start in
/// dependency order ([plugins] on_failure = refuse | skip), stop in reverse
/// order, SIGHUP's reconfigure(), and enable, disable and reload of one
/// plugin while palaverd serves (palaverctl plugins ..., on the admin
/// socket): the plugins that depend on it are stopped in reverse order and
/// started again in order, the others keep running (docs/PLUGINS.md, "Run
/// time").
///
/// Threads: initialize(), start() and stop() on palaverd's main thread;
/// enable(), disable(), reload() on the admin socket's thread and
/// reconfigure() on the main thread, one at a time (a mutex); health() from
/// any thread.
class PluginRuntime
{
public:
	/// settings: the declared settings of what runs, checked again (and
	/// their defaults replaced) when a plugin is enabled or reloaded and on
	/// reconfigure().
	PluginRuntime(PluginLoader& loader, ConfigLoader& configLoader, PluginSettings& settings, const CoreServices& core,
		const Poco::Util::AbstractConfiguration& config, Poco::Logger& logger);
	~PluginRuntime();  /// destroys the contexts; the loader unloads the libraries

	/// Initialises the loaded plugins in order. Throws PluginException naming
	/// a plugin whose initialize() threw, unless skip: then it, and every
	/// plugin that needs it, are left out (one log line each).
	void initialize(bool skip);

	/// Starts them in order; as initialize(), a start() that throws leaves
	/// out the plugin and every plugin that needs or uses it when skip.
	void start(bool skip);

	/// Stops every initialised plugin in reverse order (at shutdown).
	void stop();

	/// SIGHUP: re-reads the configuration files and checks the declared
	/// settings (ConfigException: the plugins are not reconfigured), then
	/// calls every running plugin's reconfigure().
	void reconfigure();

	/// Loads and starts a plugin that plugins.d enables; the text palaverctl prints.
	/// Throws Poco::Exception when it is refused (nothing changed then).
	std::string enable(const std::string& name);

	/// Stops and unloads a running plugin; plugins that use it are started again.
	/// Refused when a running plugin needs it.
	std::string disable(const std::string& name);

	/// Loads the plugin's library again (its plugins.d section re-read) and
	/// swaps it for the running one, handing its state over; if the new
	/// version fails, the old one is started again.
	std::string reload(const std::string& name);

	/// {"plugins": [{"name", "version"}...], "skipped": [{"name", "reason"}...]}
	/// of what runs now (GET /health).
	void describe(Poco::JSON::Object& into) const;

	/// What runs now, in order (palaverctl plugins config).
	std::vector<PluginInfo> plugins() const;

private:
	struct Running
	{
		PluginLoader::Loaded loaded;
		std::unique_ptr<PluginContextImpl> context;
		bool initialized = false;
		bool started = false;
		std::string state;  /// saveState() while it is stopped for a restart
		/// Its WebSocket endpoints, kept with their connections while it is
		/// stopped for a restart (adopted by the version started next).
		std::vector<std::shared_ptr<WebSocketEndpointImpl>> endpoints;
	};

	void initializeOne(Running& running);
	void startOne(Running& running);
	/// Withdraws, waits, stops, saves the state (saveState) and unloads (keeping its file when restarting).
	void tearDown(Running& running, bool saveState, bool keepFile);
	/// Starts a plugin whose library is loaded: initialize() (taking over its
	/// endpoints), restoreState(), start(), and resumes the endpoints' connections.
	void bringUp(Running& running, const std::string& state);
	/// The running plugins that depend on name, directly or not; needsOnly: through needs alone.
	std::set<std::string> dependantsOf(const std::string& name, bool needsOnly) const;
	/// Throws when one of names cannot be stopped while palaverd runs.
	void checkStoppable(const std::set<std::string>& names) const;
	std::size_t indexOf(const std::string& name) const;  /// npos when not running
	/// Tears down names (in reverse order) and returns them, in order, with their states.
	std::vector<Running> takeOut(const std::set<std::string>& names);
	/// Starts again what takeOut() returned, from the same versions, in order; returns the failures' text.
	std::string putBack(std::vector<Running> taken);
	void leaveOut(const std::string& name, const std::string& reason);
	/// A plugin stopped for good: the connections of its endpoints are closed
	/// (1001); the endpoints stay, refusing upgrades, for when it is enabled again.
	void park(const Running& stopped);
	void publish();
	/// Checks the declared settings of what runs with fresh in place of (or
	/// besides) its namesake; throws PluginException, changing nothing, when
	/// a value is refused.
	void checkSettings(const PluginInfo& fresh);
	Poco::Timespan drainTimeout() const;

	PluginLoader& _loader;
	ConfigLoader& _configLoader;
	PluginSettings& _settings;
	const CoreServices _core;
	const Poco::Util::AbstractConfiguration& _config;
	Poco::Logger& _logger;
	std::mutex _lifecycle;
	std::vector<Running> _running;
	std::vector<Running> _retained;  /// stopped, but their code could still be called: never unloaded
	std::vector<PluginLoader::Refusal> _skipped;
	std::map<std::string, std::vector<std::shared_ptr<WebSocketEndpointImpl>>> _parked;  /// by plugin: park()

	mutable std::mutex _snapshotMutex;
	std::vector<PluginInfo> _infos;                       /// guarded by _snapshotMutex
	std::vector<PluginLoader::Refusal> _skippedSnapshot;  /// guarded by _snapshotMutex
};

} } // namespace Palaver::Server

#endif
