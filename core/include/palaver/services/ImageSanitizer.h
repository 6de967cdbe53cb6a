//
// ImageSanitizer.h
//

#ifndef Palaver_Services_ImageSanitizer_INCLUDED
#define Palaver_Services_ImageSanitizer_INCLUDED

#include "palaver/Service.h"
#include <string>

namespace Palaver {

/// Re-encodes an untrusted picture held in memory (API 4.0): offered by the
/// attachments plugin, which decodes with libvips on its bounded image pool
/// under its limits ([attachments] max_pixels, max_dimension,
/// image_time_limit); used by the auth plugin for avatars. Without the
/// attachments plugin there is no such service (the auth plugin then refuses
/// avatars). Look it up at each use: the offering plugin is initialised
/// after most of its users.
class ImageSanitizer: public Service
{
public:
	static constexpr const char* NAME = "attachments.images";

	/// A re-encoded picture.
	struct Image
	{
		std::string data;   /// the new file's bytes: no EXIF, GPS, XMP, ICC profile or comment
		std::string type;   /// "image/jpeg" or "image/png"
		int width = 0;
		int height = 0;
	};

	/// On a worker (it waits for the image pool): decodes data (JPEG, PNG,
	/// WebP or GIF, by its bytes; an animation's first frame), applies its
	/// EXIF orientation, shrinks it to at most maxSide pixels on its longer
	/// side (never enlarges) and encodes it again without metadata: a JPEG
	/// stays a JPEG and a PNG a PNG; WebP and GIF become PNG when
	/// transparent, else JPEG. Refusals are HttpErrors of PROTOCOL.md with
	/// field as their field: 400 "invalid_image" (not an image of those
	/// four, malformed, truncated), 413 "image_too_large" (dimensions, pixel
	/// count or time past the limits: a decompression bomb costs its
	/// header), 503 when the pool is full.
	virtual Image sanitize(const std::string& data, int maxSide, const std::string& field) = 0;
};

} // namespace Palaver

#endif
