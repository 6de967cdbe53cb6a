#include "MessageJson.h"

namespace Palaver {
namespace Messages {

namespace {

// What a message takes besides its two strings, with ids of up to 19 digits
// and every key: enough that the answer is written without a reallocation
// unless the strings are escaped.
const std::size_t FIXED_SIZE = 224;

} // namespace

std::string MessageJson::array(const std::vector<Message>& messages)
{
	std::size_t size = 2;
	for (const Message& message: messages)
		size += FIXED_SIZE + message.text.size() + message.fromUserName.size();
	std::string out;
	out.reserve(size);
	out += '[';
	for (std::size_t i = 0; i < messages.size(); ++i)
	{
		if (i > 0) out += ',';
		messages[i].appendJson(out);
	}
	out += ']';
	return out;
}

} } // namespace Palaver::Messages
