#include "palaver/MessageUpdate.h"
#include "palaver/JsonWriter.h"
#include <Poco/Exception.h>

namespace Palaver {

Poco::JSON::Object::Ptr MessageUpdate::toJson() const
{
	Poco::JSON::Object::Ptr json = new Poco::JSON::Object;
	json->set("eventId", eventId);
	json->set("message", message.toJson());
	return json;
}

std::string MessageUpdate::frameJson() const
{
	std::string out = "{\"eventId\":";
	JsonWriter::appendInt(out, eventId);
	out += ",\"message\":";
	message.appendJson(out);
	out += ",\"type\":\"msgupdate\"}";
	return out;
}

MessageUpdate MessageUpdate::fromJson(const Poco::JSON::Object& json)
{
	Poco::JSON::Object::Ptr message = json.getObject("message");
	if (!message) throw Poco::DataFormatException("message.updated without a message");
	MessageUpdate update;
	update.eventId = json.getValue<Poco::Int64>("eventId");
	update.message = Message::fromJson(*message);
	return update;
}

} // namespace Palaver
