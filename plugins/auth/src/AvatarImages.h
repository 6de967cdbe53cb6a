//
// AvatarImages.h
//

#ifndef Palaver_Auth_AvatarImages_INCLUDED
#define Palaver_Auth_AvatarImages_INCLUDED

#include <string>

namespace Palaver {

class ServiceRegistry;

namespace Auth {

class AvatarStore;

/// What an uploaded avatar becomes before it is stored (issue 17): decoded
/// and re-encoded by the ImageSanitizer service of the attachments plugin
/// (libvips, its image pool and limits), so that no EXIF block, GPS
/// position, XMP or comment is served, and shrunk to at most the configured
/// size on its longer side. The service is looked up at each use: without
/// the attachments plugin nothing can check a picture, and avatars are
/// refused (400) rather than stored as uploaded. Thread-safe.
class AvatarImages
{
public:
	/// [auth] avatar_size: pixels on the longer side, at most.
	static constexpr int DEFAULT_SIZE = 512;

	/// maxSide: [auth] avatar_size.
	AvatarImages(AvatarStore& store, const ServiceRegistry& services, int maxSide);

	/// On a worker: re-encodes uploaded (a JPEG or PNG by its bytes) and
	/// stores it; returns its name in the store. Throws HttpError (field
	/// "image") 400 "validation_failed" without the attachments plugin, 400
	/// "invalid_image" for a malformed picture, 413 "image_too_large" past
	/// the image limits (a decompression bomb), 503 when the image pool is
	/// full.
	std::string save(const std::string& uploaded) const;

private:
	AvatarStore& _store;
	const ServiceRegistry& _services;
	const int _maxSide;
};

} } // namespace Palaver::Auth

#endif
