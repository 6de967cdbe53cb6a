#include "TextRules.h"
#include "palaver/HttpError.h"
#include "palaver/Utf8.h"
#include <Poco/UTF8Encoding.h>

namespace Palaver {
namespace Messages {

namespace {

bool isSpace(int codePoint)
{
	switch (codePoint)
	{
	case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D: case 0x20:
	case 0x85: case 0xA0: case 0x1680: case 0x180E:
	case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
	case 0x200B: case 0xFEFF:
		return true;
	default:
		return codePoint >= 0x2000 && codePoint <= 0x200A;
	}
}

} // namespace

TextRules::TextRules(std::size_t maxLength):
	_maxLength(maxLength)
{
}

void TextRules::check(const std::string& text) const
{
	if (text.empty())
		throw HttpError::validation("text", "text must not be empty");
	if (!Utf8::isValid(text))
		throw HttpError::validation("text", "text must be valid UTF-8");
	// Cheap bound first: a code point takes at least one byte.
	if (text.size() > _maxLength && Utf8::length(text) > _maxLength)
		throw HttpError::validation("text", "text must be at most " + std::to_string(_maxLength) + " characters");
	if (isBlank(text))
		throw HttpError::validation("text", "text must not be blank");
}

bool TextRules::isBlank(const std::string& text)
{
	Poco::UTF8Encoding encoding;
	const auto* p = reinterpret_cast<const unsigned char*>(text.data());
	const auto* end = p + text.size();
	while (p < end)
	{
		if (*p < 0x80)
		{
			if (!isSpace(*p)) return false;
			++p;
			continue;
		}
		const int length = encoding.sequenceLength(p, static_cast<int>(end - p));
		if (length <= 0 || p + length > end) return false;
		if (!isSpace(encoding.queryConvert(p, length))) return false;
		p += length;
	}
	return true;
}

} } // namespace Palaver::Messages
