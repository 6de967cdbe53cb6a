//
// ImageProcessor.h
//

#ifndef Palaver_Attachments_ImageProcessor_INCLUDED
#define Palaver_Attachments_ImageProcessor_INCLUDED

#include "ImageType.h"
#include "palaver/services/ImageSanitizer.h"
#include <Poco/Types.h>
#include <string>

namespace Palaver {
namespace Attachments {

/// Decodes an uploaded image with libvips (see the plugin's README for why
/// libvips) and writes a copy without metadata (EXIF, GPS, XMP, ICC,
/// comments: libvips' "strip") and a thumbnail. Untrusted input: only the
/// JPEG, PNG, WebP and GIF loaders may run (every other libvips loader is
/// blocked), the header is read first and the dimensions and pixel count
/// checked before a pixel is decoded (a decompression bomb costs a header),
/// and decoding stops at a time limit. Thread-safe; each call uses the
/// calling thread (libvips' own threads are limited to one per call), an
/// image pool thread, whose priority it lowers (nice 10) at its first image.
class ImageProcessor
{
public:
	struct Limits
	{
		Poco::UInt64 maxPixels = 50000000;  /// width x height, every frame of an animation counted
		int maxDimension = 16384;           /// either side, of one frame
		long timeLimitMs = 10000;           /// decoding and writing one image
		int thumbnailSize = 320;            /// the thumbnail's longer side, at most
	};

	struct Result
	{
		int width = 0;
		int height = 0;                     /// of one frame
		std::string thumbnailType;          /// "image/jpeg" or "image/png"
	};

	/// Starts libvips once per process (no operation cache, one thread per
	/// pipeline, untrusted loaders blocked). Throws Poco::RuntimeException
	/// when libvips cannot start.
	static void startLibrary();

	explicit ImageProcessor(const Limits& limits);

	/// Reads source (whose bytes sniffed as kind), writes the stripped image
	/// to target (same format) and the thumbnail to thumbnailTarget. Throws
	/// HttpError 400 "invalid_image" (malformed or truncated), 413
	/// "image_too_large" (dimensions, pixel count, time limit).
	Result process(const std::string& source, ImageType::Kind kind, const std::string& target,
		const std::string& thumbnailTarget) const;

	/// The picture data (in memory, e.g. an avatar), shrunk to at most
	/// maxSide pixels on its longer side and re-encoded without metadata,
	/// under the same limits as process(); see ImageSanitizer::sanitize().
	/// Throws HttpError 400 "invalid_image" or 413 "image_too_large" (field
	/// "file").
	ImageSanitizer::Image sanitize(const std::string& data, int maxSide) const;

	const Limits& limits() const { return _limits; }

private:
	Limits _limits;
};

} } // namespace Palaver::Attachments

#endif
