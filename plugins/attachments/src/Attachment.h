//
// Attachment.h
//

#ifndef Palaver_Attachments_Attachment_INCLUDED
#define Palaver_Attachments_Attachment_INCLUDED

#include <Poco/JSON/Object.h>
#include <Poco/Types.h>
#include <string>

namespace Palaver {
namespace Attachments {

/// One stored upload, as its row in the attachments table.
struct Attachment
{
	std::string id;                 /// random, 128 bits, base64url
	Poco::Int64 ownerId = 0;        /// the uploader
	std::string name;               /// the file name as sent (only shown, never a path)
	std::string type;               /// the checked type: image/... or application/octet-stream
	Poco::UInt64 size = 0;          /// bytes stored (an image: after stripping)
	int width = 0;                  /// images only
	int height = 0;
	std::string thumbnailType;      /// "" without a thumbnail
	Poco::Int64 createdAt = 0;      /// seconds since the epoch
	Poco::Int64 messageId = 0;      /// the message it was sent with, 0 while unattached, -1 while reserved for one
	Poco::Int64 toUserId = 0;       /// that message's receiver (a direct message)
	Poco::Int64 groupId = 0;        /// that message's group

	bool isImage() const { return type != "application/octet-stream"; }

	/// PROTOCOL.md's object: {"id", "name", "type", "size", "width", "height", "thumbnail"}.
	Poco::JSON::Object::Ptr toJson() const;
};

} } // namespace Palaver::Attachments

#endif
