#include "AvatarImages.h"
#include "AvatarStore.h"
#include "ImageSniffer.h"
#include "palaver/HttpError.h"
#include "palaver/ServiceRegistry.h"
#include "palaver/services/ImageSanitizer.h"

namespace Palaver {
namespace Auth {

AvatarImages::AvatarImages(AvatarStore& store, const ServiceRegistry& services, int maxSide):
	_store(store),
	_services(services),
	_maxSide(maxSide)
{
}

std::string AvatarImages::save(const std::string& uploaded) const
{
	const auto sanitizer = _services.find<ImageSanitizer>();
	if (!sanitizer)
		throw HttpError::validation("image", "this server takes no avatars: it has no image decoder (the attachments plugin)");
	const ImageSanitizer::Image clean = sanitizer->sanitize(uploaded, _maxSide, "image");
	// The service answers JPEG or PNG; the store keeps nothing else.
	const ImageSniffer::Kind kind = ImageSniffer::sniff(clean.data);
	if (kind == ImageSniffer::Kind::None)
		throw HttpError(400, "invalid_image", "the image is malformed or truncated", "image");
	return _store.save(clean.data, kind);
}

} } // namespace Palaver::Auth
