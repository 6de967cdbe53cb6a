#include "palaver/Message.h"
#include "palaver/JsonWriter.h"
#include <Poco/DateTimeFormatter.h>
#include <Poco/DateTimeParser.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <sstream>
#include <Poco/Timestamp.h>

namespace Palaver {

namespace {

// PHP's DateTime JSON form, which seed clients parse. Times are kept in UTC.
const std::string DATE_FORMAT = "%Y-%m-%d %H:%M:%S.%F";
const std::string TIMEZONE = "UTC";

const Poco::Int64 MICROSECONDS_PER_DAY = 86400LL * 1000000LL;
// 10000-01-01 00:00:00 UTC: from here on years take five digits.
const Poco::Int64 YEAR_10000 = 2932897LL * MICROSECONDS_PER_DAY;

void appendDigits(char* at, unsigned value, int count)
{
	for (int i = count - 1; i >= 0; --i)
	{
		at[i] = static_cast<char>('0' + value % 10);
		value /= 10;
	}
}

// Appends time (µs since the epoch) as DATE_FORMAT, "2023-01-17 10:42:44.000000":
// the same text as Poco::DateTimeFormatter, which costs more than the rest
// of a message's JSON. Years 1970 to 9999 are computed here (the civil-from-days
// algorithm of H. Hinnant's "chrono-Compatible Low-Level Date Algorithms");
// any other time goes to DateTimeFormatter.
void appendDate(std::string& out, Poco::Int64 time)
{
	if (time < 0 || time >= YEAR_10000)
	{
		Poco::DateTimeFormatter::append(out, Poco::Timestamp(time), DATE_FORMAT);
		return;
	}
	const Poco::Int64 days = time / MICROSECONDS_PER_DAY;
	const Poco::Int64 ofDay = time % MICROSECONDS_PER_DAY;
	const unsigned seconds = static_cast<unsigned>(ofDay / 1000000);
	const unsigned micros = static_cast<unsigned>(ofDay % 1000000);

	const Poco::Int64 z = days + 719468;  // days since 0000-03-01
	const Poco::Int64 era = z / 146097;
	const unsigned doe = static_cast<unsigned>(z - era * 146097);                 // [0, 146096]
	const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
	const unsigned mp = (5 * doy + 2) / 153;                                     // [0, 11], from March
	const unsigned day = doy - (153 * mp + 2) / 5 + 1;
	const unsigned month = mp < 10 ? mp + 3 : mp - 9;
	const unsigned year = static_cast<unsigned>(yoe + era * 400) + (month <= 2 ? 1 : 0);

	char text[26];  // YYYY-MM-DD hh:mm:ss.ffffff
	appendDigits(text, year, 4);
	text[4] = '-';
	appendDigits(text + 5, month, 2);
	text[7] = '-';
	appendDigits(text + 8, day, 2);
	text[10] = ' ';
	appendDigits(text + 11, seconds / 3600, 2);
	text[13] = ':';
	appendDigits(text + 14, seconds / 60 % 60, 2);
	text[16] = ':';
	appendDigits(text + 17, seconds % 60, 2);
	text[19] = '.';
	appendDigits(text + 20, micros, 6);
	out.append(text, sizeof(text));
}

// What a message takes besides its two strings, with ids of up to 19 digits
// and every key: enough that the answer is written without a reallocation
// unless the strings are escaped.
const std::size_t FIXED_JSON_SIZE = 384;


Poco::JSON::Object::Ptr timestampObject(Poco::Int64 time)
{
	std::string date;
	date.reserve(26);
	appendDate(date, time);
	Poco::JSON::Object::Ptr json = new Poco::JSON::Object;
	json->set("date", date);
	json->set("timezone_type", 3);
	json->set("timezone", TIMEZONE);
	return json;
}

void appendTimestamp(std::string& out, Poco::Int64 time)
{
	out += "{\"date\":\"";
	appendDate(out, time);
	out += "\",\"timezone\":\"UTC\",\"timezone_type\":3}";
}

Poco::Int64 parseTimestamp(const Poco::JSON::Object& time)
{
	int zone = 0;
	return Poco::DateTimeParser::parse(DATE_FORMAT, time.getValue<std::string>("date"), zone).timestamp().epochMicroseconds();
}

// An id of 0 means "none" and is written as null.
void appendOptionalId(std::string& out, Poco::Int64 id)
{
	if (id == 0) out += "null";
	else JsonWriter::appendInt(out, id);
}

Poco::Dynamic::Var optionalId(Poco::Int64 id)
{
	return id == 0 ? Poco::Dynamic::Var() : Poco::Dynamic::Var(id);
}

} // namespace

Poco::JSON::Object::Ptr Message::timestampJson(Poco::Int64 time)
{
	return timestampObject(time);
}

Poco::JSON::Object::Ptr Message::toJson() const
{
	Poco::JSON::Object::Ptr json = new Poco::JSON::Object;
	json->set("id", id);
	json->set("fromUserId", fromUserId);
	json->set("toUserId", optionalId(toUserId));
	json->set("groupId", optionalId(groupId));
	json->set("text", text);
	json->set("timestamp", timestampObject(timestamp));
	if (editedAt == 0) json->set("editedAt", Poco::Dynamic::Var());
	else json->set("editedAt", timestampObject(editedAt));
	json->set("deleted", deleted);
	if (attachment.empty()) json->set("attachment", Poco::Dynamic::Var());
	else json->set("attachment", Poco::JSON::Parser().parse(attachment).extract<Poco::JSON::Object::Ptr>());
	// A deleted sender's messages carry no name (PROTOCOL.md, DELETE /me).
	if (fromUserName.empty()) json->set("fromUserName", Poco::Dynamic::Var());
	else json->set("fromUserName", fromUserName);
	return json;
}

void Message::appendJson(std::string& out) const
{
	// The keys in the order Poco's Object writes them (sorted), as toJson().
	out += "{\"attachment\":";
	out += attachment.empty() ? "null" : attachment;
	out += ",\"deleted\":";
	out += deleted ? "true" : "false";
	out += ",\"editedAt\":";
	if (editedAt == 0) out += "null";
	else appendTimestamp(out, editedAt);
	out += ",\"fromUserId\":";
	JsonWriter::appendInt(out, fromUserId);
	out += ",\"fromUserName\":";
	if (fromUserName.empty()) out += "null";
	else JsonWriter::appendString(out, fromUserName);
	out += ",\"groupId\":";
	appendOptionalId(out, groupId);
	out += ",\"id\":";
	JsonWriter::appendInt(out, id);
	out += ",\"text\":";
	JsonWriter::appendString(out, text);
	out += ",\"timestamp\":";
	appendTimestamp(out, timestamp);
	out += ",\"toUserId\":";
	appendOptionalId(out, toUserId);
	out += '}';
}

std::string Message::toJsonText() const
{
	std::string out;
	out.reserve(FIXED_JSON_SIZE + text.size() + fromUserName.size() + attachment.size());
	appendJson(out);
	return out;
}

std::string Message::arrayJsonText(const std::vector<Message>& messages)
{
	std::size_t size = 2;
	for (const Message& message: messages)
		size += FIXED_JSON_SIZE + message.text.size() + message.fromUserName.size() + message.attachment.size();
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


Message Message::fromJson(const Poco::JSON::Object& json)
{
	Message message;
	message.id = json.getValue<Poco::Int64>("id");
	message.fromUserId = json.getValue<Poco::Int64>("fromUserId");
	if (!json.isNull("toUserId")) message.toUserId = json.getValue<Poco::Int64>("toUserId");
	if (!json.isNull("groupId")) message.groupId = json.optValue<Poco::Int64>("groupId", 0);
	message.text = json.getValue<std::string>("text");
	if (!json.isNull("fromUserName")) message.fromUserName = json.optValue<std::string>("fromUserName", "");
	if (auto time = json.getObject("timestamp")) message.timestamp = parseTimestamp(*time);
	if (auto edited = json.getObject("editedAt")) message.editedAt = parseTimestamp(*edited);
	message.deleted = json.optValue<bool>("deleted", false);
	if (auto attachment = json.getObject("attachment"))
	{
		std::ostringstream text;
		Poco::JSON::Stringifier::condense(attachment, text);
		message.attachment = text.str();
	}
	return message;
}

} // namespace Palaver
