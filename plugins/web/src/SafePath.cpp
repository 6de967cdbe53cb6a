#include "SafePath.h"

namespace Palaver {
namespace Web {

bool SafePath::isSafe(const std::string& relativePath)
{
	if (relativePath.empty() || relativePath.size() > 255) return false;
	bool segmentStart = true;
	for (char c: relativePath)
	{
		if (c == '/')
		{
			if (segmentStart) return false;  // leading slash or "//"
			segmentStart = true;
			continue;
		}
		const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
			|| c == '.' || c == '_' || c == '-';
		if (!allowed) return false;
		if (segmentStart && c == '.') return false;  // ".", "..", ".hidden"
		segmentStart = false;
	}
	return !segmentStart;  // no trailing slash
}

bool SafePath::isInside(const std::string& path, const std::string& base)
{
	if (base.empty() || path.compare(0, base.size(), base) != 0) return false;
	if (path.size() == base.size()) return true;
	return base.back() == '/' || path[base.size()] == '/';
}

} } // namespace Palaver::Web
