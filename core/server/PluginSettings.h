//
// PluginSettings.h
//

#ifndef Palaver_Server_PluginSettings_INCLUDED
#define Palaver_Server_PluginSettings_INCLUDED

#include "palaver/PluginInfo.h"
#include <Poco/AutoPtr.h>
#include <Poco/Util/LayeredConfiguration.h>
#include <Poco/Util/MapConfiguration.h>
#include <string>
#include <vector>

namespace Palaver {
namespace Server {

/// The plugins' declared settings (PluginInfo::settings, palaver/Setting.h)
/// against the configuration: checked before any plugin is initialised, the
/// defaults given as the configuration's lowest layer, and described for
/// palaverctl and the configuration reference. Not thread-safe: the core
/// calls it on its main thread.
class PluginSettings
{
public:
	/// The keys of a plugin's section that the core reads itself.
	static const std::vector<std::string> CORE_KEYS;

	explicit PluginSettings(Poco::Util::LayeredConfiguration& config);
	~PluginSettings();  /// removes the defaults layer

	/// Checks every declared key of every plugin (one that declares none is
	/// not checked) and replaces the defaults layer with their defaults.
	/// Throws ConfigException with one line naming the section, the key, the
	/// value and what is allowed. Returns one warning per key of a checked
	/// section that nothing declares.
	std::vector<std::string> apply(const std::vector<PluginInfo>& plugins);

	/// For `palaverctl plugins config NAME`: one line per declared setting,
	/// "key = value in force  (type, default D): help".
	static std::string describe(const PluginInfo& plugin, const Poco::Util::AbstractConfiguration& config);

	/// The Markdown reference of every plugin's settings (docs/CONFIGURATION.md).
	static std::string reference(const std::vector<PluginInfo>& plugins);

private:
	Poco::Util::LayeredConfiguration& _config;
	Poco::AutoPtr<Poco::Util::MapConfiguration> _defaults;
};

} } // namespace Palaver::Server

#endif
