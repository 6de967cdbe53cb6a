//
// AttachmentFiles.h
//

#ifndef Palaver_Services_AttachmentFiles_INCLUDED
#define Palaver_Services_AttachmentFiles_INCLUDED

#include "palaver/Service.h"
#include <Poco/JSON/Object.h>
#include <Poco/Types.h>
#include <string>

namespace Palaver {

/// Uploaded files that messages carry (API 4.0): offered by the attachments
/// plugin, used by the messages plugin for "attachmentId" (PROTOCOL.md Part
/// 2, "Attachments"). Without the plugin there is no such service and an
/// attachmentId is refused.
///
/// An upload is attached once, by its uploader: reserve() takes it for a
/// message about to be stored; once the message is stored ("message.stored"
/// with the attachment object) the plugin ties the upload to its id, and
/// deleting the message ("message.updated" with deleted) removes the bytes.
/// Methods read or write the database: not for an I/O thread.
class AttachmentFiles: public Service
{
public:
	static constexpr const char* NAME = "attachments.files";

	/// Takes ownerId's upload attachmentId for a message to toUserId or to
	/// groupId (the other one 0) and returns its object (PROTOCOL.md:
	/// "id", "name", "type", "size", "width", "height", "thumbnail") for the
	/// message's "attachment". Throws HttpError 400 (field "attachmentId")
	/// for an id that is not an upload of ownerId's or that was attached
	/// already, 503 when storage fails.
	virtual Poco::JSON::Object::Ptr reserve(Poco::Int64 ownerId, const std::string& attachmentId, Poco::Int64 toUserId,
		Poco::Int64 groupId) = 0;

	/// The message that reserved attachmentId was not stored: the upload may
	/// be attached again (and expires as unattached).
	virtual void release(const std::string& attachmentId) = 0;
};

} // namespace Palaver

#endif
