//
// Utf8.h
//

#ifndef Palaver_Utf8_INCLUDED
#define Palaver_Utf8_INCLUDED

#include <cstddef>
#include <string>

namespace Palaver {

/// UTF-8 checks for what clients send.
class Utf8
{
public:
	/// True when text is well-formed UTF-8 (no overlong forms, no surrogates).
	static bool isValid(const std::string& text);

	/// The number of code points of valid UTF-8 text (what "characters" means
	/// in PROTOCOL.md's length limits).
	static std::size_t length(const std::string& text);
};

} // namespace Palaver

#endif
