#include "palaver/JsonParser.h"
#include "palaver/Utf8.h"
#include <Poco/Exception.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
#include <algorithm>
#include <charconv>

namespace Palaver {

namespace {

// Objects up to this many members are checked for a repeated key as each key
// arrives; larger ones once more when they close, sorted (no quadratic time).
constexpr std::size_t LINEAR_KEY_CHECK = 32;

// Room reserved in the outermost array or object: client frames and bodies
// are one object of a few members, which then costs one allocation instead
// of one per doubling. Nested ones grow as they fill, so that a text of many
// small containers ("[[],[],...]") does not reserve room for each.
constexpr std::size_t ROOT_CAPACITY = 8;

// RapidJSON copies strings and numbers to its stack: this much of it lives on
// the caller's stack, so that small texts parse without allocating for it.
constexpr std::size_t READER_BUFFER = 1024;

// Builds a JsonValue from RapidJSON's SAX events, checking what RapidJSON
// does not: depth, value count, repeated keys, UTF-8 after escapes, numbers.
class Builder
{
public:
	explicit Builder(const JsonParser::Limits& limits): _limits(limits) {}

	bool Null() { return place(JsonValue()); }
	bool Bool(bool value) { return place(JsonValue(value)); }
	// With kParseNumbersAsStringsFlag every number arrives as RawNumber.
	bool Int(int) { return false; }
	bool Uint(unsigned) { return false; }
	bool Int64(std::int64_t) { return false; }
	bool Uint64(std::uint64_t) { return false; }
	bool Double(double) { return false; }

	bool RawNumber(const char* text, rapidjson::SizeType length, bool)
	{
		const char* const end = text + length;
		if (std::find_if(text, end, [](char c) { return c == '.' || c == 'e' || c == 'E'; }) != end)
		{
			double value = 0;
			const std::from_chars_result result = std::from_chars(text, end, value);
			if (result.ec != std::errc() || result.ptr != end) return fail("number out of range");
			return place(JsonValue(value));
		}
		Poco::Int64 value = 0;
		const std::from_chars_result result = std::from_chars(text, end, value);
		if (result.ec != std::errc() || result.ptr != end) return fail("integer out of range (64 bits)");
		return place(JsonValue(value));
	}

	bool String(const char* text, rapidjson::SizeType length, bool)
	{
		std::string value(text, length);
		if (!Utf8::isValid(value)) return fail("invalid UTF-8 in a string");
		return place(JsonValue(std::move(value)));
	}

	bool Key(const char* text, rapidjson::SizeType length, bool)
	{
		_key.assign(text, length);
		if (!Utf8::isValid(_key)) return fail("invalid UTF-8 in a key");
		const std::vector<JsonValue::Member>& members = _open.back()->members();
		if (members.size() < LINEAR_KEY_CHECK && _open.back()->find(_key))
			return fail("duplicate key \"" + _key + "\"");
		return true;
	}

	bool StartObject() { return open(JsonValue::object(_open.empty() ? ROOT_CAPACITY : 0)); }
	bool StartArray() { return open(JsonValue::array(_open.empty() ? ROOT_CAPACITY : 0)); }

	bool EndObject(rapidjson::SizeType count)
	{
		if (count > LINEAR_KEY_CHECK && !uniqueKeys(_open.back()->members())) return false;
		_open.pop_back();
		return true;
	}

	bool EndArray(rapidjson::SizeType)
	{
		_open.pop_back();
		return true;
	}

	JsonValue& root() { return _root; }
	const std::string& error() const { return _error; }

private:
	bool fail(const std::string& message)
	{
		_error = message;
		return false;
	}

	bool count()
	{
		if (++_values > _limits.maxValues)
			return fail("more than " + std::to_string(_limits.maxValues) + " JSON values");
		return true;
	}

	// The new value goes to the open array, to the open object under the
	// last key, or is the root.
	JsonValue* attach(JsonValue value)
	{
		if (_open.empty())
		{
			_root = std::move(value);
			return &_root;
		}
		JsonValue& parent = *_open.back();
		if (parent.isArray()) return &parent.append(std::move(value));
		return &parent.add(std::move(_key), std::move(value));
	}

	bool place(JsonValue value)
	{
		if (!count()) return false;
		attach(std::move(value));
		return true;
	}

	bool open(JsonValue container)
	{
		if (!count()) return false;
		if (_open.size() >= _limits.maxDepth)
			return fail("JSON nested deeper than " + std::to_string(_limits.maxDepth));
		// A container's address is stable while it is open: its parent gets
		// no other child until it closes.
		_open.push_back(attach(std::move(container)));
		return true;
	}

	bool uniqueKeys(const std::vector<JsonValue::Member>& members)
	{
		std::vector<const std::string*> keys;
		keys.reserve(members.size());
		for (const JsonValue::Member& member: members) keys.push_back(&member.key);
		std::sort(keys.begin(), keys.end(), [](const std::string* a, const std::string* b) { return *a < *b; });
		for (std::size_t i = 1; i < keys.size(); ++i)
		{
			if (*keys[i] == *keys[i - 1]) return fail("duplicate key \"" + *keys[i] + "\"");
		}
		return true;
	}

	const JsonParser::Limits& _limits;
	JsonValue _root;
	std::vector<JsonValue*> _open;
	std::string _key;
	std::size_t _values = 0;
	std::string _error;
};

} // namespace

JsonParser::JsonParser(const Limits& limits): _limits(limits)
{
}

JsonValue JsonParser::parse(const std::string& text) const
{
	if (text.size() > _limits.maxBytes)
		throw Poco::SyntaxException("JSON text larger than " + std::to_string(_limits.maxBytes) + " bytes");
	Builder builder(_limits);
	rapidjson::MemoryStream stream(text.data(), text.size());
	char buffer[READER_BUFFER];
	rapidjson::MemoryPoolAllocator<> allocator(buffer, sizeof(buffer));
	rapidjson::GenericReader<rapidjson::UTF8<>, rapidjson::UTF8<>, rapidjson::MemoryPoolAllocator<>> reader(&allocator, READER_BUFFER / 2);
	constexpr unsigned FLAGS = rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag;
	const rapidjson::ParseResult result = reader.Parse<FLAGS>(stream, builder);
	if (result.IsError())
	{
		if (!builder.error().empty()) throw Poco::SyntaxException(builder.error());
		throw Poco::SyntaxException(std::string("malformed JSON at byte ") + std::to_string(result.Offset())
			+ ": " + rapidjson::GetParseError_En(result.Code()));
	}
	// RapidJSON takes a NUL byte for the end of the text: anything after it is not JSON.
	if (stream.Tell() != text.size())
		throw Poco::SyntaxException("malformed JSON at byte " + std::to_string(stream.Tell()) + ": a NUL byte");
	return std::move(builder.root());
}

JsonValue JsonParser::parseObject(const std::string& text) const
{
	JsonValue value = parse(text);
	if (!value.isObject()) throw Poco::SyntaxException("the JSON text must be an object");
	return value;
}

} // namespace Palaver
