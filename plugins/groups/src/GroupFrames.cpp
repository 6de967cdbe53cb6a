#include "GroupFrames.h"
#include "GroupService.h"
#include "palaver/HttpError.h"
#include "palaver/JsonWriter.h"
#include <Poco/NumberParser.h>

namespace Palaver {
namespace Groups {

namespace {

const std::size_t MAX_CLIENT_MSG_ID = 128;

// The ack frame, keys sorted as the ws plugin writes its own.
std::string ackJson(Poco::Int64 id, const std::string& clientMsgId)
{
	std::string out = "{";
	if (!clientMsgId.empty())
	{
		out += "\"clientMsgId\":";
		JsonWriter::appendString(out, clientMsgId);
		out += ',';
	}
	out += "\"id\":" + std::to_string(id) + ",\"type\":\"ack\"}";
	return out;
}

std::string errorJson(const HttpError& error, const std::string& clientMsgId)
{
	Poco::JSON::Object frame;
	if (!clientMsgId.empty()) frame.set("clientMsgId", clientMsgId);
	frame.set("code", error.code());
	if (!error.field().empty()) frame.set("field", error.field());
	frame.set("message", error.message());
	std::string out;
	JsonWriter::appendObject(out, frame, "type", "error");
	return out;
}

} // namespace

Poco::Int64 GroupFrames::id(const JsonValue& frame, const char* name, bool allowZero)
{
	const JsonValue* field = frame.find(name);
	Poco::Int64 value = -1;
	if (field && field->isInteger()) value = field->integer();
	else if (field && field->isString() && field->string().size() <= 18 && field->string().find_first_not_of("0123456789") == std::string::npos)
		Poco::NumberParser::tryParse64(field->string(), value);
	if (value < 0 || (value == 0 && !allowZero))
		throw HttpError::validation(name, std::string(name) + " must be " + (allowZero ? "a message id" : "an id"));
	return value;
}

void GroupFrames::registerWith(ClientFrames& frames, GroupService& service)
{
	frames.addHandler("groupmsg", "", [&service](const User& sender, const JsonValue& frame, const ClientFrames::Reply& reply)
	{
		std::string clientMsgId;
		if (const JsonValue* field = frame.find("clientMsgId"))
		{
			if (field->isString()) clientMsgId = field->string();
			if (clientMsgId.empty() || clientMsgId.size() > MAX_CLIENT_MSG_ID)
				throw HttpError::validation("clientMsgId", "clientMsgId must be a string of 1 to 128 characters");
		}
		// With an attachment the text (its caption) may be left out.
		const JsonValue* attachment = frame.find("attachmentId");
		if (attachment && !attachment->isString()) throw HttpError::validation("attachmentId", "attachmentId must be a string");
		const std::string attachmentId = attachment ? attachment->string() : std::string();
		const JsonValue* text = frame.find("text");
		if ((text || attachmentId.empty()) && (!text || !text->isString())) throw HttpError::validation("text", "text must be a string");
		service.post(sender, id(frame, "groupId"), text ? text->string() : std::string(), [reply, clientMsgId](const Message* stored, const HttpError* error)
		{
			if (stored) reply(ackJson(stored->id, clientMsgId));
			else reply(errorJson(*error, clientMsgId));
		}, attachmentId);
	});
	frames.addHandler("typing", "groupId", [&service](const User& sender, const JsonValue& frame, const ClientFrames::Reply&)
	{
		service.typing(sender.id, id(frame, "groupId"));
	});
	frames.addHandler("read", "groupId", [&service](const User& sender, const JsonValue& frame, const ClientFrames::Reply&)
	{
		service.read(sender.id, id(frame, "groupId"), id(frame, "upToId", true));
	});
}

void GroupFrames::unregisterFrom(ClientFrames& frames)
{
	frames.removeHandler("groupmsg", "");
	frames.removeHandler("typing", "groupId");
	frames.removeHandler("read", "groupId");
}

} } // namespace Palaver::Groups
