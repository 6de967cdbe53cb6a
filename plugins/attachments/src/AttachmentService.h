//
// AttachmentService.h
//

#ifndef Palaver_Attachments_AttachmentService_INCLUDED
#define Palaver_Attachments_AttachmentService_INCLUDED

#include "palaver/services/AttachmentFiles.h"
#include <Poco/JSON/Object.h>
#include <memory>

namespace Poco { class Logger; }

namespace Palaver {

class WorkQueue;

namespace Attachments {

class AttachmentStore;

/// The AttachmentFiles service ("attachments.files") the messages plugin uses
/// for "attachmentId", and what the plugin does on the messages' events:
/// a stored message ties its reserved upload to its id, a message deleted
/// for everyone takes its upload's bytes with it. The events arrive on the
/// messages' publisher thread; their database work goes to the plugin's
/// WorkQueue (the core's work threads, in order, one at a time: a deletion
/// after the tie of its upload) so that the publisher never waits for it.
class AttachmentService: public AttachmentFiles
{
public:
	AttachmentService(AttachmentStore& store, std::shared_ptr<WorkQueue> background, Poco::Logger& logger);

	Poco::JSON::Object::Ptr reserve(Poco::Int64 ownerId, const std::string& attachmentId, Poco::Int64 toUserId,
		Poco::Int64 groupId) override;
	void release(const std::string& attachmentId) override;

	/// Events::MESSAGE_STORED (the message's JSON): on the publisher's thread;
	/// ties the upload to its message there (one UPDATE), before the frames go.
	void messageStored(const Poco::JSON::Object::Ptr& message);

	/// Events::MESSAGE_UPDATED ({"eventId", "message"}): on the publisher's thread.
	void messageUpdated(const Poco::JSON::Object::Ptr& update);

private:
	void inBackground(const char* what, std::function<void()> work);

	AttachmentStore& _store;
	const std::shared_ptr<WorkQueue> _background;
	Poco::Logger& _logger;
};

} } // namespace Palaver::Attachments

#endif
