// Fuzzes avatar type detection (plugins/auth/src/ImageSniffer.cpp): the
// uploaded bytes decide whether a file is served as an image.
#include "ImageSniffer.h"
#include <cstdint>
#include <cstdlib>
#include <string>

using Palaver::Auth::ImageSniffer;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	const std::string bytes(reinterpret_cast<const char*>(data), size);
	const auto kind = ImageSniffer::sniff(bytes);
	if (kind == ImageSniffer::Kind::Jpeg && (size < 4 || data[0] != 0xFF || data[1] != 0xD8)) std::abort();
	if (kind == ImageSniffer::Kind::Png && (size < 8 || data[0] != 0x89 || data[1] != 'P')) std::abort();
	if (kind != ImageSniffer::Kind::None && ImageSniffer::fromExtension(ImageSniffer::extension(kind)) != kind) std::abort();
	ImageSniffer::contentType(kind);
	ImageSniffer::fromExtension(bytes);
	return 0;
}
