//
// PluginLoader.h
//

#ifndef Palaver_Server_PluginLoader_INCLUDED
#define Palaver_Server_PluginLoader_INCLUDED

#include "ConfigLoader.h"
#include "palaver/Plugin.h"
#include <Poco/ClassLoader.h>
#include <Poco/Exception.h>
#include <Poco/Util/AbstractConfiguration.h>
#include <memory>
#include <string>
#include <vector>

namespace Palaver {
namespace Server {

/// Why a plugin was refused; the message is the one log line that says it,
/// starting with the plugin's name.
POCO_DECLARE_EXCEPTION(, PluginException, Poco::RuntimeException)

/// Loads the enabled plugins' shared objects and puts them in dependency
/// order; unloads them one by one (a plugin stopped at run time).
class PluginLoader
{
public:
	struct Loaded
	{
		PluginInfo info;
		std::string path;                /// as configured (resolved)
		std::string image;               /// what was loaded: path, or /proc/self/fd/N of an earlier version
		int file = -1;                   /// the loaded file kept open, to load this version again after a failed reload
		std::unique_ptr<Plugin> plugin;
	};

	/// A plugin left out at start-up ([plugins] on_failure = skip).
	struct Refusal
	{
		std::string name;
		std::string reason;  /// the one log line
	};

	PluginLoader();
	~PluginLoader();  /// destroys the plugins, then unloads their libraries

	/// Loads every declared plugin whose "<name>.enabled" is true (the
	/// default), checks what it was built against and its dependencies, and
	/// orders them so that each comes after what it needs or uses. Throws
	/// PluginException on the first refusal: a library without an ABI record
	/// or built for another API major (or a newer minor), another POCO release
	/// or another C++ library ABI (all read from the file before it is
	/// loaded), a library that does not load or exports no plugin, a name that
	/// differs from its section, a missing dependency, a dependency cycle.
	/// With skipRefused, a refused plugin (and every plugin that needs it) is
	/// left out instead, and listed in refused().
	void load(const std::vector<ConfigLoader::PluginEntry>& entries, const Poco::Util::AbstractConfiguration& config,
		bool skipRefused = false);

	/// The loaded plugins, in initialisation order.
	std::vector<Loaded>& plugins() { return _plugins; }

	/// The plugins left out by load(skipRefused).
	const std::vector<Refusal>& refused() const { return _refused; }

	/// Loads one plugin's library and creates the plugin, checking it as
	/// load() does except for its dependencies. Throws PluginException; with
	/// fresh (a plugin loaded again while palaverd runs) also when a library
	/// of that path is still in memory, which dlopen would return instead of
	/// the file.
	Loaded loadOne(const ConfigLoader::PluginEntry& entry, const Poco::Util::AbstractConfiguration& config, bool fresh = false);

	/// Loads the version that loaded runs again (from the file it kept open),
	/// for a reload whose new version failed. Throws PluginException.
	Loaded loadAgain(const Loaded& loaded);

	/// Destroys the plugin and unloads its library (keeping its file open
	/// when keepFile). Returns false when the library stays in memory
	/// nevertheless (something still binds to it): its code must not be
	/// loaded again beside it.
	bool unload(Loaded& loaded, bool keepFile = false);

	/// Closes the file kept for loadAgain() (a version not to come back).
	static void forget(Loaded& loaded);

	/// Checks the ABI record of path before any of its code runs; throws PluginException.
	static void checkAbi(const std::string& path, const std::string& who);

	/// Where a library is looked for: as given when it is a path, else
	/// <[plugins] directory>/<library>.so.
	static std::string resolve(const std::string& library, const Poco::Util::AbstractConfiguration& config);

private:
	/// descriptor: the open image (-1: opened here).
	Loaded open(const std::string& name, const std::string& path, const std::string& image, const std::string& file, int descriptor);
	void order(bool skipRefused);
	void refuse(std::size_t index, const std::string& reason);

	Poco::ClassLoader<Plugin> _classLoader;
	std::vector<Loaded> _plugins;
	std::vector<Refusal> _refused;
};

} } // namespace Palaver::Server

#endif
