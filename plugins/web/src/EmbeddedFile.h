//
// EmbeddedFile.h
//
// The table of static files that the build embeds into the plugin
// (cmake/EmbedAssets.cmake generates its definition).
//

#ifndef Palaver_Web_EmbeddedFile_INCLUDED
#define Palaver_Web_EmbeddedFile_INCLUDED

#include <cstddef>

namespace Palaver {
namespace Web {

struct EmbeddedFile
{
	const char* path;            /// relative to plugins/web/static, e.g. "assets/app.js"
	const unsigned char* data;
	std::size_t size;
};

/// embeddedFileCount entries, then one {nullptr, nullptr, 0}.
extern const EmbeddedFile embeddedFiles[];
extern const std::size_t embeddedFileCount;

} } // namespace Palaver::Web

#endif
