#include "palaver/Utf8.h"
#include <Poco/UTF8Encoding.h>
#include <cstdint>
#include <cstring>

namespace Palaver {

namespace {

constexpr std::uint64_t ASCII_MASK = 0x8080808080808080ULL;

// Length of the sequence a lead byte starts, 0 for a byte that cannot lead.
int sequenceLength(unsigned char lead)
{
	if (lead < 0x80) return 1;
	if (lead >= 0xC2 && lead <= 0xDF) return 2;
	if (lead >= 0xE0 && lead <= 0xEF) return 3;
	if (lead >= 0xF0 && lead <= 0xF4) return 4;
	return 0;
}

} // namespace

bool Utf8::isValid(const std::string& text)
{
	const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
	const std::size_t size = text.size();
	std::size_t i = 0;
	while (i < size)
	{
		if (bytes[i] < 0x80)
		{
			++i;
			// Chat text is mostly ASCII: eight bytes at a time while it lasts.
			std::uint64_t word = 0;
			while (i + sizeof(word) <= size && (std::memcpy(&word, bytes + i, sizeof(word)), (word & ASCII_MASK) == 0))
				i += sizeof(word);
			continue;
		}
		const int length = sequenceLength(bytes[i]);
		// Poco's isLegal checks continuation bytes, overlong forms and surrogates.
		if (length == 0 || i + length > size || !Poco::UTF8Encoding::isLegal(bytes + i, length))
			return false;
		i += length;
	}
	return true;
}

std::size_t Utf8::length(const std::string& text)
{
	std::size_t count = 0;
	for (unsigned char c: text)
	{
		if ((c & 0xC0) != 0x80) ++count;
	}
	return count;
}

} // namespace Palaver
