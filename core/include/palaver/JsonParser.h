//
// JsonParser.h
//

#ifndef Palaver_JsonParser_INCLUDED
#define Palaver_JsonParser_INCLUDED

#include "palaver/JsonValue.h"
#include <cstddef>
#include <string>

namespace Palaver {

/// The one parser of JSON that clients send (request bodies through Form,
/// WebSocket frames), strict where Poco::JSON::Parser is lenient:
///
/// - RFC 8259 grammar, one value and nothing after it but white space;
/// - at most Limits::maxBytes of text, Limits::maxDepth nested arrays and
///   objects, Limits::maxValues values in all;
/// - a key repeated in one object is refused (Poco keeps the last one);
/// - strings must be valid UTF-8 after their escapes are decoded: invalid
///   bytes, overlong forms and surrogates (raw or as a lone \uD800) are refused;
/// - an integer must fit Poco::Int64 (Poco falls back to UInt64 or a double);
///   a number with a fraction or an exponent is kept as a double
///   (JsonValue::Type::Double), and refused when a double cannot hold it
///   (1e400 overflows, 1e-400 underflows; Poco gives inf and 0).
///
/// Built on RapidJSON's SAX reader (iterative, so no recursion on the
/// caller's stack), chosen by measurement (docs/PERFORMANCE.md, "Client JSON").
/// Stateless: one parser may be used by any number of threads at once.
class JsonParser
{
public:
	struct Limits
	{
		std::size_t maxBytes = 1024 * 1024;
		std::size_t maxDepth = 32;
		std::size_t maxValues = 65536;
	};

	JsonParser() = default;
	explicit JsonParser(const Limits& limits);

	/// The value of text. Throws Poco::SyntaxException whose message says
	/// what is wrong (and where) in words fit for a client's 400.
	JsonValue parse(const std::string& text) const;

	/// The same, for texts that must be one object.
	JsonValue parseObject(const std::string& text) const;

	const Limits& limits() const { return _limits; }

private:
	Limits _limits;
};

} // namespace Palaver

#endif
