#include "ImageType.h"
#include <cstring>

namespace Palaver {
namespace Attachments {

namespace {

bool startsWith(const char* data, std::size_t size, const char* magic, std::size_t magicSize, std::size_t offset = 0)
{
	return size >= offset + magicSize && std::memcmp(data + offset, magic, magicSize) == 0;
}

} // namespace

ImageType::Kind ImageType::sniff(const char* data, std::size_t size)
{
	if (startsWith(data, size, "\xFF\xD8\xFF", 3)) return Kind::Jpeg;
	if (startsWith(data, size, "\x89PNG\r\n\x1A\n", 8)) return Kind::Png;
	if (startsWith(data, size, "GIF87a", 6) || startsWith(data, size, "GIF89a", 6)) return Kind::Gif;
	if (startsWith(data, size, "RIFF", 4) && startsWith(data, size, "WEBPVP8", 7, 8)) return Kind::WebP;
	return Kind::None;
}

std::string ImageType::mimeType(Kind kind)
{
	switch (kind)
	{
	case Kind::Jpeg: return "image/jpeg";
	case Kind::Png: return "image/png";
	case Kind::WebP: return "image/webp";
	case Kind::Gif: return "image/gif";
	case Kind::None: break;
	}
	return "application/octet-stream";
}

ImageType::Kind ImageType::fromMimeType(const std::string& type)
{
	for (Kind kind: {Kind::Jpeg, Kind::Png, Kind::WebP, Kind::Gif})
	{
		if (mimeType(kind) == type) return kind;
	}
	return Kind::None;
}

} } // namespace Palaver::Attachments
