//
// Base64Url.h
//

#ifndef Palaver_Push_Base64Url_INCLUDED
#define Palaver_Push_Base64Url_INCLUDED

#include <string>

namespace Palaver {
namespace Push {

/// The base64url alphabet without padding (RFC 4648 section 5), as Web Push
/// and JOSE write keys, secrets and signatures.
class Base64Url
{
public:
	static std::string encode(const std::string& bytes);

	/// Throws Poco::DataFormatException for anything but unpadded (or
	/// correctly padded) base64url.
	static std::string decode(const std::string& text);
};

} } // namespace Palaver::Push

#endif
