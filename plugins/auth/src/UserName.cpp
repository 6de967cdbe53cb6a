#include "UserName.h"
#include "palaver/HttpError.h"
#include "palaver/Utf8.h"
#include <Poco/Exception.h>
#include <Poco/NumberFormatter.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf8.h>
#include <vector>

namespace Palaver {
namespace Auth {

namespace {

using Normalizer = const UNormalizer2* (*)(UErrorCode*);

// Converts valid UTF-8 to UTF-16, applies ICU's normaliser, and back.
std::string normalize(const std::string& text, Normalizer instance)
{
	UErrorCode status = U_ZERO_ERROR;
	const UNormalizer2* normalizer = instance(&status);
	if (U_FAILURE(status)) throw Poco::RuntimeException("ICU normaliser unavailable", u_errorName(status));

	// UTF-16 never has more units than UTF-8 has bytes.
	std::vector<UChar> source(text.size() + 1);
	int32_t sourceLength = 0;
	u_strFromUTF8(source.data(), static_cast<int32_t>(source.size()), &sourceLength, text.data(), static_cast<int32_t>(text.size()), &status);
	// NFKC_Casefold can expand a character up to 18 times.
	std::vector<UChar> result(static_cast<std::size_t>(sourceLength) * 18 + 1);
	const int32_t resultLength = unorm2_normalize(normalizer, source.data(), sourceLength, result.data(), static_cast<int32_t>(result.size()), &status);
	std::string out(static_cast<std::size_t>(resultLength) * 3, '\0');
	int32_t outLength = 0;
	u_strToUTF8(&out[0], static_cast<int32_t>(out.size()), &outLength, result.data(), resultLength, &status);
	if (U_FAILURE(status)) throw Poco::RuntimeException("ICU normalisation failed", u_errorName(status));
	out.resize(static_cast<std::size_t>(outLength));
	return out;
}

bool isVariationSelector(UChar32 c)
{
	return (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xE0100 && c <= 0xE01EF);
}

// Characters a reader cannot see or that reorder what they see: C0 and C1
// controls (Cc), format characters (Cf: bidirectional overrides and
// isolates, zero-width space and joiners, soft hyphen, tags, ...), line and
// paragraph separators, spaces other than U+0020 (a trailing no-break space
// is invisible), unassigned, private-use and surrogate code points, and the
// other default-ignorable ones (Hangul fillers, U+034F), but for variation
// selectors (emoji presentation).
bool hidden(UChar32 c)
{
	switch (u_charType(c))
	{
	case U_CONTROL_CHAR:
	case U_FORMAT_CHAR:
	case U_LINE_SEPARATOR:
	case U_PARAGRAPH_SEPARATOR:
	case U_UNASSIGNED:
	case U_PRIVATE_USE_CHAR:
	case U_SURROGATE:
		return true;
	case U_SPACE_SEPARATOR:
		return c != 0x20;
	default:
		return u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT) && !isVariationSelector(c);
	}
}

} // namespace

std::string UserName::checked(const std::string& raw)
{
	if (!Utf8::isValid(raw)) throw HttpError::validation("username", "username must be valid UTF-8");
	const std::string name = normalized(raw);
	const std::size_t length = Utf8::length(name);
	if (length == 0) throw HttpError::validation("username", "username must not be empty");
	if (length > MAX_LENGTH)
		throw HttpError::validation("username", "username must have at most " + std::to_string(MAX_LENGTH) + " characters");
	const std::string character = hiddenCharacter(name);
	if (!character.empty())
		throw HttpError::validation("username", "username must not contain invisible, control or direction characters (" + character + ")");
	if (name.front() == ' ' || name.back() == ' ')
		throw HttpError::validation("username", "username must not start or end with a space");
	return name;
}

std::string UserName::normalized(const std::string& text)
{
	return normalize(text, unorm2_getNFCInstance);
}

std::string UserName::key(const std::string& name)
{
	return normalize(normalized(name), unorm2_getNFKCCasefoldInstance);
}

std::string UserName::hiddenCharacter(const std::string& text)
{
	const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
	const int32_t length = static_cast<int32_t>(text.size());
	for (int32_t i = 0; i < length;)
	{
		UChar32 c = 0;
		U8_NEXT(bytes, i, length, c);
		if (c < 0 || hidden(c)) return "U+" + Poco::NumberFormatter::formatHex(c < 0 ? 0xFFFD : c, 4);
	}
	return "";
}

} } // namespace Palaver::Auth
