//
// Message.h
//

#ifndef Palaver_Message_INCLUDED
#define Palaver_Message_INCLUDED

#include <Poco/JSON/Object.h>
#include <Poco/Types.h>
#include <string>
#include <vector>

namespace Palaver {

/// A stored chat message, as PROTOCOL.md shows it.
struct Message
{
	Poco::Int64 id = 0;
	Poco::Int64 fromUserId = 0;
	Poco::Int64 toUserId = 0;   /// 0 for a group message
	Poco::Int64 groupId = 0;    /// 0 for a direct message
	std::string text;
	Poco::Int64 timestamp = 0;  /// microseconds since the Unix epoch, UTC
	std::string fromUserName;
	Poco::Int64 editedAt = 0;   /// microseconds since the Unix epoch, UTC; 0: never edited
	bool deleted = false;       /// deleted for everyone: text is empty
	/// The attachment object (PROTOCOL.md "Attachments") as condensed JSON
	/// text with sorted keys, as Poco::JSON::Stringifier::condense() writes
	/// it; "" for none (API 4.0).
	std::string attachment;

	/// {"id", "fromUserId", "toUserId", "groupId", "text", "fromUserName",
	///  "timestamp": {"date": "2023-01-17 10:42:44.000000", "timezone_type": 3, "timezone": "UTC"},
	///  "editedAt": null or a timestamp, "deleted", "attachment": null or the attachment object}
	/// (PROTOCOL.md Part 2): toUserId is null for a group message, groupId
	/// null for a direct one.
	Poco::JSON::Object::Ptr toJson() const;

	/// Appends the JSON text of toJson() to out, byte for byte what
	/// Poco::JSON::Stringifier::condense() writes of it (keys sorted, as a
	/// Poco Object keeps them; strings escaped as JsonWriter describes), but
	/// without building objects: for answers that hold many messages.
	void appendJson(std::string& out) const;

	/// The same as a string of its own.
	std::string toJsonText() const;

	/// The JSON array of messages, each as appendJson writes it: byte for
	/// byte what Poco::JSON::Stringifier::condense() makes of an array of
	/// toJson(), written in one string reserved for it.
	static std::string arrayJsonText(const std::vector<Message>& messages);
	static Message fromJson(const Poco::JSON::Object& json);

	/// A time (microseconds since the Unix epoch, UTC) as PROTOCOL.md writes
	/// every timestamp: {"date", "timezone_type": 3, "timezone"} (API 2.1).
	static Poco::JSON::Object::Ptr timestampJson(Poco::Int64 time);
};

} // namespace Palaver

#endif
