#include "MessageJson.h"
#include <Poco/DateTimeFormatter.h>
#include <Poco/JSONString.h>
#include <Poco/NumberFormatter.h>
#include <Poco/Timestamp.h>

namespace Palaver {
namespace Messages {

namespace {

// As Message::toJson() formats the time (PHP's DateTime JSON form, UTC).
const std::string DATE_FORMAT = "%Y-%m-%d %H:%M:%S.%F";

void appendString(std::string& out, const std::string& value)
{
	// The escaping Poco's Stringifier uses for strings.
	out += Poco::toJSON(value, Poco::JSON_WRAP_STRINGS);
}

} // namespace

std::string MessageJson::array(const std::vector<Message>& messages)
{
	std::string out;
	out.reserve(2 + messages.size() * 256);
	out += '[';
	for (std::size_t i = 0; i < messages.size(); ++i)
	{
		if (i > 0) out += ',';
		append(out, messages[i]);
	}
	out += ']';
	return out;
}

void MessageJson::append(std::string& out, const Message& message)
{
	// Keys in the order Poco's Object keeps them (sorted).
	out += "{\"fromUserId\":";
	Poco::NumberFormatter::append(out, message.fromUserId);
	out += ",\"fromUserName\":";
	appendString(out, message.fromUserName);
	out += ",\"id\":";
	Poco::NumberFormatter::append(out, message.id);
	out += ",\"text\":";
	appendString(out, message.text);
	out += ",\"timestamp\":{\"date\":\"";
	Poco::DateTimeFormatter::append(out, Poco::Timestamp(message.timestamp), DATE_FORMAT);
	out += "\",\"timezone\":\"UTC\",\"timezone_type\":3},\"toUserId\":";
	Poco::NumberFormatter::append(out, message.toUserId);
	out += '}';
}

} } // namespace Palaver::Messages
