//
// ImageType.h
//

#ifndef Palaver_Attachments_ImageType_INCLUDED
#define Palaver_Attachments_ImageType_INCLUDED

#include <cstddef>
#include <string>

namespace Palaver {
namespace Attachments {

/// Which image format a file's first bytes are, whatever its name or the
/// type its sender claimed: only these four are decoded and served as
/// images; anything else is an opaque download.
class ImageType
{
public:
	enum class Kind { None, Jpeg, Png, WebP, Gif };

	/// Bytes sniff() needs at most.
	static constexpr std::size_t SNIFF_SIZE = 16;

	/// The format of a file that begins with data (None if unknown).
	static Kind sniff(const char* data, std::size_t size);

	/// "image/jpeg" ...; "application/octet-stream" for None.
	static std::string mimeType(Kind kind);

	/// The Kind of a mimeType() answer (None for anything else).
	static Kind fromMimeType(const std::string& type);
};

} } // namespace Palaver::Attachments

#endif
