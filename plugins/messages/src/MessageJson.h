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

/// Writes a list of messages as JSON text directly, byte for byte what
/// Poco::JSON::Stringifier::condense() makes of an array of
/// Message::toJson() (the unit test holds it to that), without building a
/// JSON object per message: a conversation of a thousand messages is read often.
class MessageJson
{
public:
	/// The JSON array of messages, each as Message::appendJson writes it.
	static std::string array(const std::vector<Message>& messages);

	/// Appends messages to out as elements of an array being written
	/// (a ',' before each but the array's first: out ends with '[' then).
	static void appendElements(std::string& out, const std::vector<Message>& messages);
};

} } // namespace Palaver::Messages

#endif
