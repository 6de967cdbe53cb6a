// Fuzzes image decoding of the attachments plugin (plugins/attachments/src/
// ImageProcessor.cpp, libvips with only the JPEG, PNG, WebP and GIF loaders
// allowed): untrusted bytes that sniff as an image are decoded, stripped and
// thumbnailed, or refused with an HttpError; the same bytes in memory go
// through sanitize() (avatars) too; anything else is a bug. libvips
// itself is not instrumented (its calls into libc are).
#include "ImageProcessor.h"
#include "ImageType.h"
#include "palaver/HttpError.h"
#include <cstdint>
#include <cstdio>
#include <string>
#include <unistd.h>

using Palaver::Attachments::ImageProcessor;
using Palaver::Attachments::ImageType;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	static const bool started = (ImageProcessor::startLibrary(), true);
	(void) started;
	const auto kind = ImageType::sniff(reinterpret_cast<const char*>(data), size);
	if (kind == ImageType::Kind::None) return 0;
	const std::string base = "/tmp/palaver-fuzz-image-" + std::to_string(::getpid());
	const std::string source = base + ".in", target = base + ".out", thumbnail = base + ".thumb";
	if (FILE* file = std::fopen(source.c_str(), "wb"))
	{
		std::fwrite(data, 1, size, file);
		std::fclose(file);
	}
	ImageProcessor::Limits limits;
	limits.maxPixels = 4000000;
	limits.maxDimension = 4096;
	limits.timeLimitMs = 2000;
	const ImageProcessor images(limits);
	try
	{
		images.process(source, kind, target, thumbnail);
	}
	catch (Palaver::HttpError&)
	{
	}
	try
	{
		images.sanitize(std::string(reinterpret_cast<const char*>(data), size), 512);
	}
	catch (Palaver::HttpError&)
	{
	}
	std::remove(source.c_str());
	std::remove(target.c_str());
	std::remove(thumbnail.c_str());
	return 0;
}
