//
// ImagePoolSanitizer.h
//

#ifndef Palaver_Attachments_ImagePoolSanitizer_INCLUDED
#define Palaver_Attachments_ImagePoolSanitizer_INCLUDED

#include "palaver/services/ImageSanitizer.h"

namespace Palaver {

class WorkerPool;

namespace Attachments {

class ImageProcessor;

/// The ImageSanitizer service (avatars): ImageProcessor::sanitize() run on
/// the plugin's image pool, beside uploads, so that pictures from every
/// route share one bound on threads, queue and memory. The caller's thread
/// (a worker) waits for the answer. Thread-safe.
class ImagePoolSanitizer: public ImageSanitizer
{
public:
	ImagePoolSanitizer(const ImageProcessor& images, WorkerPool& imagePool);

	/// On a worker; waits for its turn on the pool and the work at most
	/// twice the image time limit plus a minute (503 past that, or at once
	/// when the queue is full).
	Image sanitize(const std::string& data, int maxSide, const std::string& field) override;

private:
	const ImageProcessor& _images;
	WorkerPool& _imagePool;
};

} } // namespace Palaver::Attachments

#endif
