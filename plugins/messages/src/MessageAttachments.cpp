#include "MessageAttachments.h"
#include "palaver/HttpError.h"
#include "palaver/ServiceRegistry.h"
#include "palaver/services/AttachmentFiles.h"
#include <Poco/JSON/Stringifier.h>
#include <sstream>

namespace Palaver {
namespace Messages {

MessageAttachments::MessageAttachments(const ServiceRegistry& services):
	_services(services)
{
}

void MessageAttachments::attach(Message& message, const std::string& attachmentId) const
{
	const auto attachments = _services.find<AttachmentFiles>();
	if (!attachments) throw HttpError::validation("attachmentId", "this server takes no attachments");
	const Poco::JSON::Object::Ptr attachment = attachments->reserve(message.fromUserId, attachmentId, message.toUserId, message.groupId);
	std::ostringstream text;
	Poco::JSON::Stringifier::condense(attachment, text);
	message.attachment = text.str();
}

void MessageAttachments::release(const std::string& attachmentId) const
{
	if (attachmentId.empty()) return;
	if (const auto attachments = _services.find<AttachmentFiles>()) attachments->release(attachmentId);
}

MessageStore::PostCallback MessageAttachments::releasingOnFailure(const std::string& attachmentId, MessageStore::PostCallback done) const
{
	if (attachmentId.empty()) return done;
	return [this, attachmentId, done](const Message* stored, const HttpError* error)
	{
		if (error)
		{
			try
			{
				release(attachmentId);
			}
			catch (std::exception&)
			{
				// Still reserved: it expires as an unattached upload does; the post's error is what matters.
			}
		}
		done(stored, error);
	};
}

} } // namespace Palaver::Messages
