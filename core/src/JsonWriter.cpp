#include "palaver/JsonWriter.h"
#include <charconv>

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

} // namespace Palaver
