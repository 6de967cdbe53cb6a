//
// MessageAttachments.h
//

#ifndef Palaver_Messages_MessageAttachments_INCLUDED
#define Palaver_Messages_MessageAttachments_INCLUDED

#include "palaver/Message.h"
#include "palaver/services/MessageStore.h"
#include <string>

namespace Palaver {

class ServiceRegistry;

namespace Messages {

/// The "attachmentId" of a post (PROTOCOL.md Part 2, "Attachments"),
/// through the AttachmentFiles service of the attachments plugin, looked up at
/// each use (absent: the id is refused). Thread-safe.
class MessageAttachments
{
public:
	explicit MessageAttachments(const ServiceRegistry& services);

	/// Reserves from's upload attachmentId for message (its receiver or group
	/// set) and puts its object in message.attachment. Throws HttpError 400
	/// (field "attachmentId") for a malformed or foreign id, an id attached
	/// already, or when no attachments plugin runs; 503.
	void attach(Message& message, const std::string& attachmentId) const;

	/// The message that reserved attachmentId was not stored: frees it.
	void release(const std::string& attachmentId) const;

	/// done, which also frees attachmentId when the post failed (it runs on
	/// the writer thread: a failed batch is rare, the release one statement).
	MessageStore::PostCallback releasingOnFailure(const std::string& attachmentId, MessageStore::PostCallback done) const;

private:
	const ServiceRegistry& _services;
};

} } // namespace Palaver::Messages

#endif
