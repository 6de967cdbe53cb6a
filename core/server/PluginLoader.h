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

/// Loads the enabled plugins' shared objects and puts them in dependency order.
class PluginLoader
{
public:
	struct Loaded
	{
		PluginInfo info;
		std::string path;
		std::unique_ptr<Plugin> plugin;
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
	void load(const std::vector<ConfigLoader::PluginEntry>& entries, const Poco::Util::AbstractConfiguration& config);

	/// The loaded plugins, in initialisation order.
	std::vector<Loaded>& plugins() { return _plugins; }

	/// Where a library is looked for: as given when it is a path, else
	/// <[plugins] directory>/<library>.so.
	static std::string resolve(const std::string& library, const Poco::Util::AbstractConfiguration& config);

private:
	Loaded loadOne(const ConfigLoader::PluginEntry& entry, const Poco::Util::AbstractConfiguration& config);
	static void checkAbi(const std::string& path, const std::string& who);
	void order();

	Poco::ClassLoader<Plugin> _classLoader;
	std::vector<Loaded> _plugins;
};

} } // namespace Palaver::Server

#endif
