//
// JsonOut.h
//
// Server frames are written straight into a string, without copying the
// event's object or going through a string stream.
//

#ifndef Palaver_Ws_JsonOut_INCLUDED
#define Palaver_Ws_JsonOut_INCLUDED

#include <Poco/JSON/Object.h>
#include <string>

namespace Palaver {
namespace Ws {

/// Appends server frames' JSON, byte for byte as Poco 1.11's Stringifier
/// writes the same object: keys in the order of Poco's map, strings as
/// Palaver::JsonWriter writes them (which is Poco::toJSON's escaping).
class JsonOut
{
public:
	/// object as Poco::JSON::Object::stringify writes it, with an extra
	/// string member (e.g. "type") set as Object::set would. Values other than
	/// strings, integers, booleans and objects are written by Poco.
	static void appendObject(std::string& out, const Poco::JSON::Object& object,
		const std::string& extraKey = "", const std::string& extraValue = "");
};

} } // namespace Palaver::Ws

#endif
