#include "ClientJson.h"
#include <Poco/JSON/Parser.h>
#include <cstring>

namespace Palaver {
namespace Ws {

namespace {

constexpr std::size_t MAX_FAST_DIGITS = 18;  // always fits Poco::Int64

inline bool isSpace(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

inline void skipSpace(const char*& p, const char* end)
{
	while (p < end && isSpace(*p)) ++p;
}

// A JSON string at p (after the opening quote) into out; false when it is
// not one the fast path takes (a \u escape, a raw control character, no end).
bool readString(const char*& p, const char* end, std::string& out)
{
	out.clear();
	const char* start = p;
	while (p < end)
	{
		const unsigned char c = static_cast<unsigned char>(*p);
		if (c == '"')
		{
			out.append(start, static_cast<std::size_t>(p - start));
			++p;
			return true;
		}
		if (c < 0x20) return false;
		if (c != '\\')
		{
			++p;
			continue;
		}
		out.append(start, static_cast<std::size_t>(p - start));
		if (++p >= end) return false;
		switch (*p)
		{
		case '"': out.push_back('"'); break;
		case '\\': out.push_back('\\'); break;
		case '/': out.push_back('/'); break;
		case 'b': out.push_back('\b'); break;
		case 'f': out.push_back('\f'); break;
		case 'n': out.push_back('\n'); break;
		case 'r': out.push_back('\r'); break;
		case 't': out.push_back('\t'); break;
		default: return false;  // \u (surrogates and all) and invalid escapes: Poco decides
		}
		start = ++p;
	}
	return false;
}

} // namespace

bool ClientJson::parse(const std::string& text, std::size_t maxDepth)
{
	_count = 0;
	_fast = parseFlat(text);
	if (_fast) return true;
	_count = 0;
	return parsePoco(text, maxDepth);
}

bool ClientJson::parseFlat(const std::string& text)
{
	const char* p = text.data();
	const char* const end = p + text.size();
	skipSpace(p, end);
	if (p >= end || *p != '{') return false;
	++p;
	skipSpace(p, end);
	if (p < end && *p == '}')
	{
		++p;
		skipSpace(p, end);
		return p == end;
	}
	for (;;)
	{
		if (p >= end || *p != '"') return false;
		++p;
		if (_count == _fields.size()) _fields.emplace_back();
		Field& field = _fields[_count];
		if (!readString(p, end, field.key)) return false;
		skipSpace(p, end);
		if (p >= end || *p != ':') return false;
		++p;
		skipSpace(p, end);
		if (p >= end) return false;
		field.inRange = true;
		field.number = 0;
		if (*p == '"')
		{
			++p;
			field.kind = Kind::String;
			if (!readString(p, end, field.text)) return false;
		}
		else if (*p == '-' || (*p >= '0' && *p <= '9'))
		{
			const bool negative = *p == '-';
			if (negative) ++p;
			const char* digits = p;
			while (p < end && *p >= '0' && *p <= '9') ++p;
			const std::size_t count = static_cast<std::size_t>(p - digits);
			if (count == 0 || count > MAX_FAST_DIGITS) return false;
			if (count > 1 && *digits == '0') return false;  // not JSON: Poco's answer
			if (p < end && (*p == '.' || *p == 'e' || *p == 'E')) return false;  // a double
			Poco::Int64 value = 0;
			for (const char* d = digits; d < p; ++d) value = value * 10 + (*d - '0');
			field.kind = Kind::Integer;
			field.number = negative ? -value : value;
			field.text = std::to_string(field.number);
		}
		else if (end - p >= 4 && std::memcmp(p, "true", 4) == 0)
		{
			p += 4;
			field.kind = Kind::Other;
		}
		else if (end - p >= 5 && std::memcmp(p, "false", 5) == 0)
		{
			p += 5;
			field.kind = Kind::Other;
		}
		else if (end - p >= 4 && std::memcmp(p, "null", 4) == 0)
		{
			p += 4;
			field.kind = Kind::Other;
		}
		else
		{
			return false;  // nested object or array, or not JSON
		}
		++_count;
		skipSpace(p, end);
		if (p >= end) return false;
		if (*p == ',')
		{
			++p;
			skipSpace(p, end);
			continue;
		}
		if (*p != '}') return false;
		++p;
		skipSpace(p, end);
		return p == end;
	}
}

bool ClientJson::parsePoco(const std::string& text, std::size_t maxDepth)
{
	Poco::JSON::Object::Ptr object;
	try
	{
		Poco::JSON::Parser parser;
		parser.setDepth(maxDepth);  // client frames are flat: no deep recursion on an I/O thread
		Poco::Dynamic::Var parsed = parser.parse(text);
		if (parsed.type() == typeid(Poco::JSON::Object::Ptr)) object = parsed.extract<Poco::JSON::Object::Ptr>();
	}
	catch (Poco::Exception&)
	{
	}
	catch (std::exception&)
	{
	}
	if (!object) return false;
	for (auto it = object->begin(); it != object->end(); ++it)
	{
		if (_count == _fields.size()) _fields.emplace_back();
		Field& field = _fields[_count++];
		field.key = it->first;
		field.kind = Kind::Other;
		field.number = 0;
		field.inRange = true;
		const Poco::Dynamic::Var& value = it->second;
		try
		{
			if (value.isString())
			{
				field.kind = Kind::String;
				field.text = value.extract<std::string>();
			}
			else if (value.isInteger())
			{
				field.kind = Kind::Integer;
				field.text = value.convert<std::string>();
				try
				{
					field.number = value.convert<Poco::Int64>();
				}
				catch (Poco::Exception&)
				{
					field.inRange = false;
				}
			}
		}
		catch (Poco::Exception&)
		{
			field.kind = Kind::Other;
		}
	}
	return true;
}

const ClientJson::Field* ClientJson::find(const char* key) const
{
	for (std::size_t i = _count; i > 0; --i)
	{
		if (_fields[i - 1].key == key) return &_fields[i - 1];
	}
	return nullptr;
}

} } // namespace Palaver::Ws
