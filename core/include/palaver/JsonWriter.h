//
// JsonWriter.h
//

#ifndef Palaver_JsonWriter_INCLUDED
#define Palaver_JsonWriter_INCLUDED

#include <Poco/JSON/Object.h>
#include <Poco/Types.h>
#include <string>

namespace Palaver {

/// The one JSON writer of Palaver: appends JSON values to a std::string, for
/// answers built on a hot path without a Poco::JSON::Object per item (e.g. a
/// conversation of a thousand messages, see Message::appendJson), or a Poco
/// object without a string stream (WebSocket frames).
///
/// Strings come out byte for byte as Poco 1.11's Stringifier writes them
/// (Poco::toJSON with JSON_WRAP_STRINGS), so that both paths give clients the
/// same text: in double quotes; '"' and '\' escaped with a backslash; the
/// control characters U+0000..U+001F as \b \t \n \f \r or \u00XX (upper-case
/// hex, e.g. \u001F); everything else as is: '/' and DEL unescaped, bytes of
/// 0x80 and above (UTF-8) passed through unchanged, never \u-escaped. The
/// text is not checked for valid UTF-8 (the caller stores only valid text).
class JsonWriter
{
public:
	/// Appends value as a quoted, escaped JSON string.
	static void appendString(std::string& out, const std::string& value);

	/// Appends value as a JSON number (decimal, '-' when negative).
	static void appendInt(std::string& out, Poco::Int64 value);

	/// Appends object byte for byte as Poco::JSON::Object::stringify writes
	/// it (keys in the order of Poco's map, strings as appendString), without
	/// copying it or going through a string stream; with an extra string
	/// member (e.g. "type") merged in as Object::set would put it. Values
	/// other than strings, integers, booleans and objects are written by Poco.
	static void appendObject(std::string& out, const Poco::JSON::Object& object,
		const std::string& extraKey = "", const std::string& extraValue = "");
};

} // namespace Palaver

#endif
