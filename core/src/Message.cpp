#include "palaver/Message.h"
#include <Poco/DateTimeFormatter.h>
#include <Poco/DateTimeParser.h>
#include <Poco/Timestamp.h>

namespace Palaver {

namespace {

// PHP's DateTime JSON form, which seed clients parse. Times are kept in UTC.
const std::string DATE_FORMAT = "%Y-%m-%d %H:%M:%S.%F";
const std::string TIMEZONE = "UTC";

} // namespace

Poco::JSON::Object::Ptr Message::toJson() const
{
	Poco::JSON::Object::Ptr time = new Poco::JSON::Object;
	time->set("date", Poco::DateTimeFormatter::format(Poco::Timestamp(timestamp), DATE_FORMAT));
	time->set("timezone_type", 3);
	time->set("timezone", TIMEZONE);

	Poco::JSON::Object::Ptr json = new Poco::JSON::Object;
	json->set("id", id);
	json->set("fromUserId", fromUserId);
	json->set("toUserId", toUserId);
	json->set("text", text);
	json->set("timestamp", time);
	json->set("fromUserName", fromUserName);
	return json;
}

Message Message::fromJson(const Poco::JSON::Object& json)
{
	Message message;
	message.id = json.getValue<Poco::Int64>("id");
	message.fromUserId = json.getValue<Poco::Int64>("fromUserId");
	message.toUserId = json.getValue<Poco::Int64>("toUserId");
	message.text = json.getValue<std::string>("text");
	message.fromUserName = json.optValue<std::string>("fromUserName", "");
	auto time = json.getObject("timestamp");
	if (time)
	{
		int zone = 0;
		message.timestamp = Poco::DateTimeParser::parse(DATE_FORMAT, time->getValue<std::string>("date"), zone).timestamp().epochMicroseconds();
	}
	return message;
}

} // namespace Palaver
