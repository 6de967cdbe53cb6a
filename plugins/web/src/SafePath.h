//
// SafePath.h
//

#ifndef Palaver_Web_SafePath_INCLUDED
#define Palaver_Web_SafePath_INCLUDED

#include <string>

namespace Palaver {
namespace Web {

/// Decides whether a requested (already percent-decoded) relative path may
/// name a static file: only segments of [A-Za-z0-9._-] separated by single
/// slashes, none empty and none starting with a dot (so no "..", no hidden
/// files), no leading slash, at most 255 characters. Everything else names
/// nothing, whatever the folder holds.
class SafePath
{
public:
	static bool isSafe(const std::string& relativePath);

	/// True when path is base itself or lies inside it; both must be canonical
	/// absolute paths (symbolic links resolved).
	static bool isInside(const std::string& path, const std::string& base);
};

} } // namespace Palaver::Web

#endif
