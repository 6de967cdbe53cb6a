#include "AttachmentRoutes.h"
#include "AttachmentStore.h"
#include "FileAnswer.h"
#include "UploadReceiver.h"
#include "Uploads.h"
#include "palaver/HttpError.h"
#include "palaver/Request.h"
#include "palaver/Response.h"
#include "palaver/Router.h"
#include "palaver/ServiceRegistry.h"
#include "palaver/services/GroupDirectory.h"
#include "palaver/services/UserDirectory.h"
#include <Poco/File.h>

namespace Palaver {
namespace Attachments {

namespace {

// What the multipart form around the file may add to max_size.
constexpr std::size_t FORM_OVERHEAD = 64 * 1024;

// A served file runs nothing and is framed by nobody, whatever its bytes.
const char FILE_POLICY[] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox; frame-ancestors 'none'";

// The name in a Content-Disposition header: an ASCII fallback and the UTF-8 name (RFC 6266).
std::string dispositionOf(const std::string& name)
{
	std::string ascii, encoded;
	static const char hex[] = "0123456789ABCDEF";
	for (unsigned char c: name)
	{
		ascii += (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') ? static_cast<char>(c) : '_';
		if (std::isalnum(c) || c == '.' || c == '-' || c == '_') encoded += static_cast<char>(c);
		else encoded.append("%").append(1, hex[c >> 4]).append(1, hex[c & 15]);
	}
	return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
}

} // namespace

AttachmentRoutes::AttachmentRoutes(Uploads& uploads, AttachmentStore& store, std::shared_ptr<UserDirectory> users,
	const ServiceRegistry& services):
	_uploads(uploads),
	_store(store),
	_users(std::move(users)),
	_services(services)
{
}

void AttachmentRoutes::registerWith(Router& router, long uploadTimeoutMs)
{
	Router::Options streamed;
	streamed.streamBody = true;
	streamed.maxBodySize = static_cast<std::size_t>(_uploads.limits().maxSize) + FORM_OVERHEAD;
	streamed.bodyTimeoutMs = uploadTimeoutMs;
	router.add("POST", "/attachments", [this](Request& request, Response& response) { upload(request, response); }, streamed);
	router.add("GET", "/attachments/{id}", [this](Request& request, Response& response) { download(request, response, false); });
	router.add("GET", "/attachments/{id}/thumbnail", [this](Request& request, Response& response) { download(request, response, true); });
}

void AttachmentRoutes::upload(Request& request, Response&)
{
	const User user = _users->authenticate(request);
	request.receiveBody(_uploads.begin(user.id, request.http().getContentType()));
}

void AttachmentRoutes::download(Request& request, Response& response, bool thumbnail)
{
	const User user = _users->authenticate(request);
	const Poco::Optional<Attachment> found = _store.find(request.param("id"));
	if (!found.isSpecified() || !canSee(found.value(), user.id)) throw HttpError::notFound("no such attachment");
	const Attachment& attachment = found.value();
	if (thumbnail && attachment.thumbnailType.empty()) throw HttpError::notFound("this attachment has no thumbnail");
	const std::string path = thumbnail ? _store.thumbnailPath(attachment.id) : _store.filePath(attachment.id);
	Poco::UInt64 size = 0;
	try
	{
		size = Poco::File(path).getSize();
	}
	catch (Poco::FileException&)
	{
		throw HttpError::notFound("no such attachment");
	}
	Poco::Net::HTTPResponse& http = response.http();
	http.set("X-Content-Type-Options", "nosniff");
	http.set("Content-Security-Policy", FILE_POLICY);
	http.set("Cache-Control", "private, max-age=86400");
	if (!attachment.isImage()) http.set("Content-Disposition", dispositionOf(attachment.name));
	FileAnswer::send(response, path, size, thumbnail ? attachment.thumbnailType : attachment.type, request.http().get("Range", ""));
}

bool AttachmentRoutes::canSee(const Attachment& attachment, Poco::Int64 userId) const
{
	if (attachment.ownerId == userId) return true;
	if (attachment.messageId == 0) return false;
	if (attachment.toUserId != 0) return attachment.toUserId == userId;
	const auto groups = _services.find<GroupDirectory>();
	if (!groups) return false;
	for (const MessageStore::GroupWindow& window: groups->windowsOf(userId))
	{
		if (window.groupId == attachment.groupId) return attachment.messageId > window.afterId;
	}
	return false;
}

} } // namespace Palaver::Attachments
