// Fuzzes what the attachments plugin reads of a stored file's request and
// bytes: image type detection (plugins/attachments/src/ImageType.cpp, which
// decides whether a file is served as an image) and the Range header
// (FileAnswer::parseRange).
#include "FileAnswer.h"
#include "ImageType.h"
#include "palaver/HttpError.h"
#include <cstdint>
#include <cstdlib>
#include <string>

using Palaver::Attachments::FileAnswer;
using Palaver::Attachments::ImageType;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	const auto kind = ImageType::sniff(reinterpret_cast<const char*>(data), size);
	if (kind != ImageType::Kind::None && ImageType::fromMimeType(ImageType::mimeType(kind)) != kind) std::abort();
	if (kind == ImageType::Kind::Jpeg && (size < 3 || data[0] != 0xFF)) std::abort();
	const std::string header(reinterpret_cast<const char*>(data), size);
	for (Poco::UInt64 fileSize: {Poco::UInt64(0), Poco::UInt64(1), Poco::UInt64(1000)})
	{
		try
		{
			const FileAnswer::Range range = FileAnswer::parseRange(header, fileSize);
			if (fileSize > 0 && (range.first > range.last || range.last >= fileSize)) std::abort();
		}
		catch (Palaver::HttpError& e)
		{
			if (e.status() != 416) std::abort();
		}
	}
	return 0;
}
