//
// ContentTypes.h
//

#ifndef Palaver_Web_ContentTypes_INCLUDED
#define Palaver_Web_ContentTypes_INCLUDED

#include <string>

namespace Palaver {
namespace Web {

/// The Content-Type the client's files are served with, by file extension.
class ContentTypes
{
public:
	/// E.g. "text/javascript; charset=utf-8" for "assets/app.js";
	/// "application/octet-stream" for an unknown extension.
	static std::string forPath(const std::string& path);
};

} } // namespace Palaver::Web

#endif
