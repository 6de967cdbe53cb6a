//
// MessageJson.h
//

#ifndef Palaver_Messages_MessageJson_INCLUDED
#define Palaver_Messages_MessageJson_INCLUDED

#include "palaver/Message.h"
#include <string>
#include <vector>

namespace Palaver {
namespace Messages {

/// Writes messages as JSON text directly, byte for byte what
/// Poco::JSON::Stringifier::condense() makes of Message::toJson() (the unit
/// test holds it to that), without building a JSON object per message: a
/// conversation of a thousand messages is read often.
class MessageJson
{
public:
	/// The JSON array of messages.
	static std::string array(const std::vector<Message>& messages);

	/// Appends one message object to out.
	static void append(std::string& out, const Message& message);
};

} } // namespace Palaver::Messages

#endif
