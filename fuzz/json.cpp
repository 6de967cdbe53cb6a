// Fuzzes the client JSON parser (core/src/JsonParser.cpp) against Poco's
// parser on the same input. Where ours accepts, Poco must accept and read the
// same values. Where ours refuses, Poco must refuse too, unless ours refused
// for one of its stricter rules (a repeated key, depth, value count, a
// number out of range, invalid UTF-8): Poco accepts those. Three differences
// of Poco 1.11 are accounted for below (scalar texts, negative integers
// beyond 2^53, byte 0xFF). Anything else escaping either parser, or a crash, is a finding.
#include "palaver/JsonParser.h"
#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

using Palaver::JsonValue;
using Poco::Dynamic::Var;

// Our refusals that Poco's lenient parser may accept.
bool stricterRule(const std::string& message)
{
	for (const char* rule: {"duplicate key", "nested deeper than", "JSON values", "out of range",
		"Number too big", "UTF-8"})
	{
		if (message.find(rule) != std::string::npos) return true;
	}
	return false;
}

bool same(const JsonValue& mine, const Var& poco);

// Poco 1.11 reads a negative integer through a double: below -2^53 it
// rounds (-9007199254740993 gives -9007199254740992), ours is exact.
bool sameInteger(Poco::Int64 mine, const Var& poco)
{
	if (!poco.isNumeric()) return false;
	const Poco::Int64 theirs = poco.convert<Poco::Int64>();
	constexpr Poco::Int64 EXACT_IN_DOUBLE = Poco::Int64(1) << 53;
	return theirs == mine || (mine < -EXACT_IN_DOUBLE && theirs == static_cast<Poco::Int64>(static_cast<double>(mine)));
}

bool sameObject(const JsonValue& mine, const Poco::JSON::Object& poco)
{
	if (mine.members().size() != poco.size()) return false;
	for (const JsonValue::Member& member: mine.members())
	{
		if (!poco.has(member.key) || !same(member.value, poco.get(member.key))) return false;
	}
	return true;
}

bool sameArray(const JsonValue& mine, const Poco::JSON::Array& poco)
{
	if (mine.elements().size() != poco.size()) return false;
	for (std::size_t i = 0; i < poco.size(); ++i)
	{
		if (!same(mine.elements()[i], poco.get(static_cast<unsigned>(i)))) return false;
	}
	return true;
}

bool same(const JsonValue& mine, const Var& poco)
{
	switch (mine.type())
	{
	case JsonValue::Type::Null: return poco.isEmpty();
	case JsonValue::Type::Boolean: return poco.type() == typeid(bool) && poco.extract<bool>() == mine.boolean();
	case JsonValue::Type::Integer: return sameInteger(mine.integer(), poco);
	case JsonValue::Type::Double: return poco.type() == typeid(double) && poco.extract<double>() == mine.number();
	case JsonValue::Type::String: return poco.isString() && poco.extract<std::string>() == mine.string();
	case JsonValue::Type::Array:
		return poco.type() == typeid(Poco::JSON::Array::Ptr) && sameArray(mine, *poco.extract<Poco::JSON::Array::Ptr>());
	case JsonValue::Type::Object:
		return poco.type() == typeid(Poco::JSON::Object::Ptr) && sameObject(mine, *poco.extract<Poco::JSON::Object::Ptr>());
	}
	return false;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	const std::string text(reinterpret_cast<const char*>(data), size);
	static const Palaver::JsonParser parser;

	JsonValue mine;
	std::string refusal;
	try
	{
		mine = parser.parse(text);
	}
	catch (const Poco::SyntaxException& e)
	{
		refusal = e.message();
		if (refusal.empty()) std::abort();
	}

	Var poco;
	bool pocoAccepts = true;
	try
	{
		Poco::JSON::Parser pocoParser;
		poco = pocoParser.parse(text);
	}
	catch (const Poco::Exception&)
	{
		pocoAccepts = false;
	}

	if (refusal.empty() && !mine.isArray() && !mine.isObject())
	{
		// Poco 1.11 refuses a scalar text ("Attempt to set value on an
		// empty stack"), which RFC 8259 allows: compare it as an array's element.
		if (pocoAccepts) std::abort();
		JsonValue wrapped = JsonValue::array();
		wrapped.append(std::move(mine));
		mine = std::move(wrapped);
		try
		{
			Poco::JSON::Parser pocoParser;
			poco = pocoParser.parse("[" + text + "]");
			pocoAccepts = true;
		}
		catch (const Poco::Exception&)
		{
		}
	}
	if (refusal.empty())
	{
		if (!pocoAccepts || !same(mine, poco)) std::abort();
	}
	else if (pocoAccepts && !stricterRule(refusal))
	{
		// Poco 1.11 takes byte 0xFF for the end of the text (pdjson's EOF,
		// -1, read from a signed char) and ignores what follows: such a text
		// must read as ours reads it cut there.
		const std::size_t end = text.find('\xff');
		if (end == std::string::npos) std::abort();
		try
		{
			if (!same(parser.parse(text.substr(0, end)), poco)) std::abort();
		}
		catch (const Poco::SyntaxException& e)
		{
			if (!stricterRule(e.message())) std::abort();
		}
	}
	return 0;
}
