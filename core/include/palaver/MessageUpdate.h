//
// MessageUpdate.h
//

#ifndef Palaver_MessageUpdate_INCLUDED
#define Palaver_MessageUpdate_INCLUDED

#include "palaver/Message.h"
#include <Poco/JSON/Object.h>
#include <Poco/Types.h>

namespace Palaver {

/// A change of a stored message (an edit or a deletion for everyone) and the
/// event id it took: message ids and change ids come from one increasing
/// sequence (PROTOCOL.md Part 2, "One sequence of events").
struct MessageUpdate
{
	Poco::Int64 eventId = 0;  /// 0: nothing changed (e.g. a message already deleted)
	Message message;          /// the message as it now is

	/// {"eventId": N, "message": {message object}}: the payload of the
	/// "message.updated" event.
	Poco::JSON::Object::Ptr toJson() const;

	/// The msgupdate frame's JSON, {"eventId":N,"message":{...},"type":"msgupdate"}
	/// (keys sorted, as Poco::JSON writes an object).
	std::string frameJson() const;

	/// Reads a "message.updated" payload; throws Poco::Exception when a key is missing.
	static MessageUpdate fromJson(const Poco::JSON::Object& json);
};

} // namespace Palaver

#endif
