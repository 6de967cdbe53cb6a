#include "JsonOut.h"
#include "palaver/JsonWriter.h"
#include <Poco/JSON/Stringifier.h>
#include <sstream>
#include <typeinfo>

namespace Palaver {
namespace Ws {

namespace {

void appendValue(std::string& out, const Poco::Dynamic::Var& value)
{
	const std::type_info& type = value.type();
	if (type == typeid(std::string))
	{
		JsonWriter::appendString(out, value.extract<std::string>());
	}
	else if (type == typeid(Poco::Int64))
	{
		JsonWriter::appendInt(out, value.extract<Poco::Int64>());
	}
	else if (type == typeid(int))
	{
		JsonWriter::appendInt(out, value.extract<int>());
	}
	else if (type == typeid(bool))
	{
		out += value.extract<bool>() ? "true" : "false";
	}
	else if (type == typeid(Poco::JSON::Object::Ptr))
	{
		const Poco::JSON::Object::Ptr& object = value.extract<Poco::JSON::Object::Ptr>();
		if (object) JsonOut::appendObject(out, *object);
		else out += "null";
	}
	else
	{
		std::ostringstream stream;
		Poco::JSON::Stringifier::stringify(value, stream);
		out += stream.str();
	}
}

} // namespace

void JsonOut::appendObject(std::string& out, const Poco::JSON::Object& object, const std::string& extraKey, const std::string& extraValue)
{
	if (object.getEscapeUnicode())
	{
		// Poco's \u escaping of every non-ASCII character: not worth a copy here.
		Poco::JSON::Object copy(object);
		if (!extraKey.empty()) copy.set(extraKey, extraValue);
		std::ostringstream stream;
		copy.stringify(stream);
		out += stream.str();
		return;
	}
	// Poco's map order (sorted keys), the extra key merged in where it sorts.
	bool extraDone = extraKey.empty();
	bool first = true;
	auto separator = [&out, &first] { if (!first) out.push_back(','); first = false; };
	out.push_back('{');
	for (auto it = object.begin(); it != object.end(); ++it)
	{
		if (!extraDone && extraKey <= it->first)
		{
			extraDone = true;
			separator();
			JsonWriter::appendString(out, extraKey);
			out.push_back(':');
			JsonWriter::appendString(out, extraValue);
			if (extraKey == it->first) continue;  // set() replaces the member
		}
		separator();
		JsonWriter::appendString(out, it->first);
		out.push_back(':');
		appendValue(out, it->second);
	}
	if (!extraDone)
	{
		separator();
		JsonWriter::appendString(out, extraKey);
		out.push_back(':');
		JsonWriter::appendString(out, extraValue);
	}
	out.push_back('}');
}

} } // namespace Palaver::Ws
