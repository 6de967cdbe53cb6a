#include "Uploads.h"
#include "AttachmentStore.h"
#include "ImageProcessor.h"
#include "MultipartParser.h"
#include "TemporaryFile.h"
#include "UploadReceiver.h"
#include "palaver/DeferredResponse.h"
#include "palaver/HttpError.h"
#include "palaver/Response.h"
#include "palaver/Utf8.h"
#include "palaver/WorkerPool.h"
#include <Poco/File.h>
#include <Poco/Logger.h>
#include <Poco/Timestamp.h>

namespace Palaver {
namespace Attachments {

namespace {

constexpr std::size_t MAX_NAME = 255;

} // namespace

Uploads::Uploads(AttachmentStore& store, const ImageProcessor& images, WorkerPool& imagePool, const Limits& limits,
	Poco::Logger& logger):
	_store(store),
	_images(images),
	_imagePool(imagePool),
	_limits(limits),
	_logger(logger)
{
}

std::shared_ptr<UploadReceiver> Uploads::begin(Poco::Int64 ownerId, const std::string& contentType)
{
	const std::string boundary = MultipartParser::boundaryOf(contentType);
	const Poco::UInt64 used = _store.usedBy(ownerId);
	if (used >= _limits.quota)
		throw HttpError(413, "quota_exceeded", "your storage quota is used up: delete messages with files to free it", "file");
	UploadReceiver::Limits limits;
	limits.maxSize = _limits.maxSize;
	limits.quotaLeft = _limits.quota - used;
	return std::make_shared<UploadReceiver>(*this, ownerId, boundary, limits);
}

std::unique_ptr<TemporaryFile> Uploads::createTemporary() const
{
	return std::make_unique<TemporaryFile>(_store.temporaryPath());
}

void Uploads::keep(std::unique_ptr<TemporaryFile> file, const Received& received, Response& response)
{
	const std::shared_ptr<DeferredResponse> answer = response.defer();
	const std::shared_ptr<TemporaryFile> upload(std::move(file));
	const bool queued = _imagePool.submit([this, upload, received, answer]
	{
		try
		{
			const Attachment attachment = store(*upload, received);
			answer->complete([&attachment](Response& created) { created.sendJson(201, attachment.toJson()); });
		}
		catch (HttpError& e)
		{
			answer->fail(e);
		}
		catch (Poco::Exception& e)
		{
			_logger.error("attachments: cannot store an upload of user %Ld: %s", received.ownerId, e.displayText());
			answer->fail(HttpError::unavailable("the file could not be stored"));
		}
	});
	if (!queued) answer->fail(HttpError::unavailable("too many uploads being processed, try again"));
}

Attachment Uploads::store(TemporaryFile& file, const Received& received)
{
	Attachment attachment;
	attachment.id = AttachmentStore::newId();
	attachment.ownerId = received.ownerId;
	attachment.name = displayName(received.name);
	attachment.type = ImageType::mimeType(received.kind);
	attachment.createdAt = Poco::Timestamp().epochTime();
	const std::string path = _store.filePath(attachment.id);
	if (received.kind == ImageType::Kind::None)
	{
		attachment.size = received.size;
		_store.moveInto(file.path(), path);
		file.release();
	}
	else
	{
		const std::unique_ptr<TemporaryFile> clean = createTemporary();
		const std::unique_ptr<TemporaryFile> thumbnail = createTemporary();
		const ImageProcessor::Result image = _images.process(file.path(), received.kind, clean->path(), thumbnail->path());
		attachment.width = image.width;
		attachment.height = image.height;
		attachment.thumbnailType = image.thumbnailType;
		attachment.size = Poco::File(clean->path()).getSize();
		_store.moveInto(thumbnail->path(), _store.thumbnailPath(attachment.id));
		thumbnail->release();
		_store.moveInto(clean->path(), path);
		clean->release();
	}
	try
	{
		_store.add(attachment);
	}
	catch (...)
	{
		_store.removeFiles(attachment.id);
		throw;
	}
	return attachment;
}

std::string Uploads::displayName(const std::string& sent)
{
	const std::size_t slash = sent.find_last_of("/\\");
	std::string name;
	for (char c: slash == std::string::npos ? sent : sent.substr(slash + 1))
	{
		const auto byte = static_cast<unsigned char>(c);
		if (byte >= 0x20 && byte != 0x7f) name += c;
	}
	if (name.size() > MAX_NAME)
	{
		name.resize(MAX_NAME);
		// Not in the middle of a character: drop continuation bytes and the lead before them.
		while (!name.empty() && (static_cast<unsigned char>(name.back()) & 0xC0) == 0x80) name.pop_back();
		if (!name.empty() && static_cast<unsigned char>(name.back()) >= 0xC0) name.pop_back();
	}
	if (name.empty() || name == "." || name == ".." || !Utf8::isValid(name)) return "file";
	return name;
}

} } // namespace Palaver::Attachments
