#include "UploadReceiver.h"
#include "ImageType.h"
#include "TemporaryFile.h"
#include "Uploads.h"
#include "palaver/HttpError.h"

namespace Palaver {
namespace Attachments {

UploadReceiver::UploadReceiver(Uploads& uploads, Poco::Int64 ownerId, const std::string& boundary, const Limits& limits):
	_uploads(uploads),
	_ownerId(ownerId),
	_limits(limits),
	_parser(boundary,
		{[this](const MultipartParser::PartHead& part) { onPart(part); },
		 [this](const char* data, std::size_t size) { onData(data, size); }},
		MultipartParser::Limits())
{
}

UploadReceiver::~UploadReceiver() = default;

void UploadReceiver::receive(const char* data, std::size_t size)
{
	_parser.feed(data, size);
}

void UploadReceiver::onPart(const MultipartParser::PartHead& part)
{
	_inFile = part.name == "file";
	if (!_inFile) return;
	if (_file) throw HttpError::validation("file", "send one file per upload");
	_name = part.fileName;
	_file = _uploads.createTemporary();
}

void UploadReceiver::onData(const char* data, std::size_t size)
{
	if (!_inFile) return;  // another field: not kept
	_size += size;
	if (_size > _limits.maxSize)
		throw HttpError(413, "too_large", "the file is larger than " + std::to_string(_limits.maxSize) + " bytes", "file");
	if (_size > _limits.quotaLeft)
		throw HttpError(413, "quota_exceeded", "the file does not fit in what is left of your storage quota", "file");
	if (_start.size() < ImageType::SNIFF_SIZE)
		_start.append(data, std::min(size, ImageType::SNIFF_SIZE - _start.size()));
	_file->write(data, size);
}

void UploadReceiver::finish(Response& response)
{
	_parser.finish();
	if (!_file) throw HttpError::validation("file", "the form has no file");
	if (_size == 0) throw HttpError::validation("file", "the file is empty");
	_file->close();
	Uploads::Received received;
	received.ownerId = _ownerId;
	received.name = _name;
	received.kind = ImageType::sniff(_start.data(), _start.size());
	received.size = _size;
	_uploads.keep(std::move(_file), received, response);
}

} } // namespace Palaver::Attachments
