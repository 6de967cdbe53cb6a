//
// PluginInfo.h
//

#ifndef Palaver_PluginInfo_INCLUDED
#define Palaver_PluginInfo_INCLUDED

#include "palaver/Version.h"
#include <string>
#include <vector>

namespace Palaver {

/// What a plugin declares about itself. The API version fields default to the
/// version of the headers the plugin is compiled against: leave them alone.
struct PluginInfo
{
	std::string name;                  /// unique, lower case, e.g. "auth"
	std::string version;               /// the plugin's own release, e.g. "1.0.0"
	std::vector<std::string> needs;    /// plugins that must be loaded and initialised first
	std::vector<std::string> uses;     /// plugins initialised first when they are present
	int apiMajor = PALAVER_API_MAJOR;
	int apiMinor = PALAVER_API_MINOR;
};

} // namespace Palaver

#endif
