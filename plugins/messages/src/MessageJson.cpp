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
	appendElements(out, messages);
	out += ']';
	return out;
}

void MessageJson::appendElements(std::string& out, const std::vector<Message>& messages)
{
	for (const Message& message: messages)
	{
		if (out.back() != '[') out += ',';
		message.appendJson(out);
	}
}

} } // namespace Palaver::Messages
