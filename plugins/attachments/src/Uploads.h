//
// Uploads.h
//

#ifndef Palaver_Attachments_Uploads_INCLUDED
#define Palaver_Attachments_Uploads_INCLUDED

#include "Attachment.h"
#include "ImageType.h"
#include <Poco/Types.h>
#include <memory>
#include <string>

namespace Poco { class Logger; }

namespace Palaver {

class Response;
class WorkerPool;

namespace Attachments {

class AttachmentStore;
class ImageProcessor;
class TemporaryFile;
class UploadReceiver;

/// What becomes of an upload: its limits are checked as it streams in
/// (UploadReceiver), then, on the image pool (a bounded WorkerPool of the
/// plugin's own, so that decoding images never takes the core's workers
/// from message delivery), an image is decoded, stripped and thumbnailed,
/// any other file kept as it is, both renamed into the store and recorded.
/// Thread-safe.
class Uploads
{
public:
	struct Limits
	{
		Poco::UInt64 maxSize = 16 * 1024 * 1024;    /// [attachments] max_size
		Poco::UInt64 quota = 1024 * 1024 * 1024;    /// [attachments] quota, per user
	};

	/// A complete upload, before it is checked.
	struct Received
	{
		Poco::Int64 ownerId = 0;
		std::string name;                 /// as sent
		ImageType::Kind kind = ImageType::Kind::None;  /// from its first bytes
		Poco::UInt64 size = 0;
	};

	Uploads(AttachmentStore& store, const ImageProcessor& images, WorkerPool& imagePool, const Limits& limits,
		Poco::Logger& logger);

	const Limits& limits() const { return _limits; }

	/// On a worker, at the head of POST /attachments: the receiver of
	/// ownerId's body. Throws HttpError 415/400 for a body that is not
	/// multipart/form-data, 413 when the quota is used up.
	std::shared_ptr<UploadReceiver> begin(Poco::Int64 ownerId, const std::string& contentType);

	/// A new partial file in the store.
	std::unique_ptr<TemporaryFile> createTemporary() const;

	/// On a worker, once the body is complete: defers response and answers
	/// it from the image pool (201 with the attachment, or the error; 503
	/// at once when the pool's queue is full).
	void keep(std::unique_ptr<TemporaryFile> file, const Received& received, Response& response);

	/// The name shown for a sent file name: its last path segment, without
	/// control characters, at most 255 bytes of valid UTF-8; "file" if
	/// nothing is left.
	static std::string displayName(const std::string& sent);

private:
	Attachment store(TemporaryFile& file, const Received& received);

	AttachmentStore& _store;
	const ImageProcessor& _images;
	WorkerPool& _imagePool;
	const Limits _limits;
	Poco::Logger& _logger;
};

} } // namespace Palaver::Attachments

#endif
