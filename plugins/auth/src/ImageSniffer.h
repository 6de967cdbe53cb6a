//
// ImageSniffer.h
//

#ifndef Palaver_Auth_ImageSniffer_INCLUDED
#define Palaver_Auth_ImageSniffer_INCLUDED

#include <string>

namespace Palaver {
namespace Auth {

/// Tells an uploaded image's type from its bytes, never from its name or the
/// content type the client declared.
class ImageSniffer
{
public:
	enum class Kind { None, Jpeg, Png };

	/// Jpeg: starts with an SOI marker (FF D8) followed by another marker
	/// (FF xx). Png: the 8-byte PNG signature followed by an IHDR chunk of
	/// length 13. Anything else (text, HTML, GIF, truncated headers) is None.
	static Kind sniff(const std::string& data);

	/// "jpg", "png" or "".
	static std::string extension(Kind kind);

	/// "image/jpeg", "image/png" or "".
	static std::string contentType(Kind kind);

	/// The kind an avatar file name's extension stands for.
	static Kind fromExtension(const std::string& extension);
};

} } // namespace Palaver::Auth

#endif
