//
// ClientJson.h
//
// Client frames are read by a strict parser for flat objects, without
// Poco::JSON objects on the hot path (Poco's parser only for anything else).
//

#ifndef Palaver_Ws_ClientJson_INCLUDED
#define Palaver_Ws_ClientJson_INCLUDED

#include <Poco/Types.h>
#include <cstddef>
#include <string>
#include <vector>

namespace Palaver {
namespace Ws {

/// The top-level members of a client frame (a JSON object).
///
/// parse() takes the fast path for what clients send: one object whose values
/// are strings (escapes other than \u), integers of up to 18 digits, true,
/// false or null. Everything else (nested values, other numbers, \u escapes,
/// malformed text, a non-object) goes through Poco::JSON::Parser with a depth
/// limit, exactly as before, so both paths accept and refuse the same texts
/// and give the same values. A repeated key: the last one counts (as Poco).
class ClientJson
{
public:
	enum class Kind { String, Integer, Other };

	struct Field
	{
		std::string key;
		Kind kind = Kind::Other;
		std::string text;           /// String: the value; Integer: its decimal form
		Poco::Int64 number = 0;     /// Integer
		bool inRange = true;        /// Integer: fits Poco::Int64
	};

	/// False unless text is one JSON object (the fields are then set).
	bool parse(const std::string& text, std::size_t maxDepth);

	/// The member named key, or null.
	const Field* find(const char* key) const;

	/// True when the last parse() took the fast path (tests).
	bool fast() const { return _fast; }

private:
	bool parseFlat(const std::string& text);
	bool parsePoco(const std::string& text, std::size_t maxDepth);

	std::vector<Field> _fields;
	std::size_t _count = 0;   /// fields in use (the vector keeps its strings' memory)
	bool _fast = false;
};

} } // namespace Palaver::Ws

#endif
