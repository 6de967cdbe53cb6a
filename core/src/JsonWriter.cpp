#include "palaver/JsonWriter.h"
#include <Poco/JSON/Stringifier.h>
#include <charconv>
#include <sstream>
#include <typeinfo>

namespace Palaver {

namespace {

// Escapes of the control characters, as Poco::UTF8::escape(..., strictJSON) writes them.
const char* const CONTROL_ESCAPES[32] = {
	"\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005", "\\u0006", "\\u0007",
	"\\b", "\\t", "\\n", "\\u000B", "\\f", "\\r", "\\u000E", "\\u000F",
	"\\u0010", "\\u0011", "\\u0012", "\\u0013", "\\u0014", "\\u0015", "\\u0016", "\\u0017",
	"\\u0018", "\\u0019", "\\u001A", "\\u001B", "\\u001C", "\\u001D", "\\u001E", "\\u001F"
};

inline bool needsEscape(unsigned char c)
{
	return c < 0x20 || c == '"' || c == '\\';
}

// A member of a Poco object, as Poco's Stringifier writes it.
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
		if (object) JsonWriter::appendObject(out, *object);
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

void JsonWriter::appendString(std::string& out, const std::string& value)
{
	out += '"';
	const char* const data = value.data();
	const std::size_t size = value.size();
	std::size_t start = 0;
	for (std::size_t i = 0; i < size; ++i)
	{
		const unsigned char c = static_cast<unsigned char>(data[i]);
		if (!needsEscape(c)) continue;
		// The run of plain bytes before it in one go.
		out.append(data + start, i - start);
		if (c == '"') out += "\\\"";
		else if (c == '\\') out += "\\\\";
		else out += CONTROL_ESCAPES[c];
		start = i + 1;
	}
	out.append(data + start, size - start);
	out += '"';
}

void JsonWriter::appendInt(std::string& out, Poco::Int64 value)
{
	char buffer[24];
	const std::to_chars_result result = std::to_chars(buffer, buffer + sizeof(buffer), value);
	out.append(buffer, static_cast<std::size_t>(result.ptr - buffer));
}

void JsonWriter::appendObject(std::string& out, const Poco::JSON::Object& object, const std::string& extraKey, const std::string& extraValue)
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
	auto appendExtra = [&]
	{
		extraDone = true;
		separator();
		appendString(out, extraKey);
		out.push_back(':');
		appendString(out, extraValue);
	};
	out.push_back('{');
	for (auto it = object.begin(); it != object.end(); ++it)
	{
		if (!extraDone && extraKey <= it->first)
		{
			appendExtra();
			if (extraKey == it->first) continue;  // set() replaces the member
		}
		separator();
		appendString(out, it->first);
		out.push_back(':');
		appendValue(out, it->second);
	}
	if (!extraDone) appendExtra();
	out.push_back('}');
}

} // namespace Palaver
