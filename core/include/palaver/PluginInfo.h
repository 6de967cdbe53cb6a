//
// PluginInfo.h
//

#ifndef Palaver_PluginInfo_INCLUDED
#define Palaver_PluginInfo_INCLUDED

#include "palaver/Setting.h"
#include <string>
#include <vector>

namespace Palaver {

/// What a plugin declares about itself. The plugin API version it was built
/// for is not here: PALAVER_PLUGIN records it (palaver/PluginAbi.h).
struct PluginInfo
{
	std::string name;                  /// unique, lower case, e.g. "auth"
	std::string version;               /// the plugin's own release, e.g. "1.0.0"
	std::vector<std::string> needs;    /// plugins that must be loaded and initialised first
	std::vector<std::string> uses;     /// plugins initialised first when they are present
	std::vector<Setting> settings;     /// the keys of its section (API 4.0): checked by palaverd, see Setting.h
};

} // namespace Palaver

#endif
