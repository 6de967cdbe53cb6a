//
// Version.h
//
// The plugin API version. A plugin records the version it was compiled
// against (PALAVER_PLUGIN, palaver/PluginAbi.h); palaverd refuses plugins
// built for another major or a newer minor.
//

#ifndef Palaver_Version_INCLUDED
#define Palaver_Version_INCLUDED

#define PALAVER_API_MAJOR 4
#define PALAVER_API_MINOR 2

namespace Palaver {

/// The palaverd release, e.g. "0.2.0".
const char* releaseVersion();

} // namespace Palaver

#endif
