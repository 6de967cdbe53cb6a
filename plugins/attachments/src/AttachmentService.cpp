#include "AttachmentService.h"
#include "AttachmentStore.h"
#include "palaver/Failure.h"
#include "palaver/HttpError.h"
#include "palaver/services/WorkQueue.h"
#include <Poco/Logger.h>

namespace Palaver {
namespace Attachments {

AttachmentService::AttachmentService(AttachmentStore& store, std::shared_ptr<WorkQueue> background, Poco::Logger& logger):
	_store(store),
	_background(std::move(background)),
	_logger(logger)
{
}

Poco::JSON::Object::Ptr AttachmentService::reserve(Poco::Int64 ownerId, const std::string& attachmentId, Poco::Int64 toUserId,
	Poco::Int64 groupId)
{
	if (!_store.reserve(attachmentId, ownerId, toUserId, groupId))
		throw HttpError::validation("attachmentId", "no upload of yours with this id, or it was sent already");
	const Poco::Optional<Attachment> attachment = _store.find(attachmentId);
	if (!attachment.isSpecified()) throw HttpError::validation("attachmentId", "no upload of yours with this id");
	return attachment.value().toJson();
}

void AttachmentService::release(const std::string& attachmentId)
{
	_store.release(attachmentId);
}

void AttachmentService::messageStored(const Poco::JSON::Object::Ptr& message)
{
	const Poco::JSON::Object::Ptr attachment = message ? message->getObject("attachment") : nullptr;
	if (!attachment) return;
	const std::string id = attachment->getValue<std::string>("id");
	const Poco::Int64 messageId = message->getValue<Poco::Int64>("id");
	const Poco::Int64 ownerId = message->getValue<Poco::Int64>("fromUserId");
	// Here, not in the background: the receivers' frames leave after this
	// event's subscribers, and a receiver fetching the file at once must find
	// it tied to the message (one UPDATE by key, only for a message with an
	// attachment).
	Failure::logged(_logger, "attachments: tying upload " + id + " to message " + std::to_string(messageId),
		[&] { _store.attach(id, ownerId, messageId); });
}

void AttachmentService::messageUpdated(const Poco::JSON::Object::Ptr& update)
{
	const Poco::JSON::Object::Ptr message = update ? update->getObject("message") : nullptr;
	if (!message || !message->optValue<bool>("deleted", false)) return;
	const Poco::Int64 messageId = message->getValue<Poco::Int64>("id");
	AttachmentStore& store = _store;
	inBackground("removing a deleted message's upload", [&store, messageId]
	{
		for (const std::string& id: store.ofMessage(messageId)) store.remove(id);
	});
}

void AttachmentService::inBackground(const char* what, std::function<void()> work)
{
	Poco::Logger& logger = _logger;
	const std::string task = "attachments: " + std::string(what);
	try
	{
		_background->submit([&logger, task, work] { Failure::logged(logger, task, work); });
	}
	catch (HttpError& e)
	{
		_logger.error("%s: %s", task, e.message());
	}
}

} } // namespace Palaver::Attachments
