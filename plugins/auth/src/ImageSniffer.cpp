#include "ImageSniffer.h"

namespace Palaver {
namespace Auth {

namespace {

const unsigned char PNG_SIGNATURE[] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};

unsigned char byteAt(const std::string& data, std::size_t i)
{
	return static_cast<unsigned char>(data[i]);
}

bool isJpeg(const std::string& data)
{
	// SOI, then the first segment's marker: FF followed by a marker code
	// (APPn, DQT, SOFn, DHT, COM, ...), never FF 00 or another FF D8.
	if (data.size() < 4) return false;
	if (byteAt(data, 0) != 0xFF || byteAt(data, 1) != 0xD8 || byteAt(data, 2) != 0xFF) return false;
	const unsigned char marker = byteAt(data, 3);
	return marker >= 0xC0 && marker != 0xD8 && marker != 0xFF;
}

bool isPng(const std::string& data)
{
	// Signature, then the IHDR chunk: 4-byte length 13, type "IHDR", 13 bytes, CRC.
	if (data.size() < 8 + 8 + 13 + 4) return false;
	for (std::size_t i = 0; i < sizeof(PNG_SIGNATURE); ++i)
	{
		if (byteAt(data, i) != PNG_SIGNATURE[i]) return false;
	}
	const bool lengthIs13 = byteAt(data, 8) == 0 && byteAt(data, 9) == 0 && byteAt(data, 10) == 0 && byteAt(data, 11) == 13;
	return lengthIs13 && data.compare(12, 4, "IHDR") == 0;
}

} // namespace

ImageSniffer::Kind ImageSniffer::sniff(const std::string& data)
{
	if (isJpeg(data)) return Kind::Jpeg;
	if (isPng(data)) return Kind::Png;
	return Kind::None;
}

std::string ImageSniffer::extension(Kind kind)
{
	switch (kind)
	{
	case Kind::Jpeg: return "jpg";
	case Kind::Png: return "png";
	default: return "";
	}
}

std::string ImageSniffer::contentType(Kind kind)
{
	switch (kind)
	{
	case Kind::Jpeg: return "image/jpeg";
	case Kind::Png: return "image/png";
	default: return "";
	}
}

ImageSniffer::Kind ImageSniffer::fromExtension(const std::string& extension)
{
	if (extension == "jpg") return Kind::Jpeg;
	if (extension == "png") return Kind::Png;
	return Kind::None;
}

} } // namespace Palaver::Auth
