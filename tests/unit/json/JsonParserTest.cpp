// JsonParser (core/src/JsonParser.cpp): the strict parser of client JSON.
// Values as Poco's parser reads them where both accept; refusals where our
// rules are stricter (repeated keys, depth, size, value count, integer range,
// UTF-8).
#include "palaver/JsonParser.h"
#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>
#include <cppunit/extensions/HelperMacros.h>
#include <limits>
#include <string>

using Palaver::JsonParser;
using Palaver::JsonValue;

namespace {

// The parser's refusal message for text, or "" when it accepts it.
std::string refusal(const JsonParser& parser, const std::string& text)
{
	try
	{
		parser.parse(text);
		return "";
	}
	catch (Poco::SyntaxException& e)
	{
		return e.message();
	}
}

bool contains(const std::string& text, const std::string& part)
{
	return text.find(part) != std::string::npos;
}

} // namespace

class JsonParserTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(JsonParserTest);
	CPPUNIT_TEST(testClientFrame);
	CPPUNIT_TEST(testNestedValuesInOrder);
	CPPUNIT_TEST(testEscapes);
	CPPUNIT_TEST(testNumbers);
	CPPUNIT_TEST(testMalformedRefused);
	CPPUNIT_TEST(testDuplicateKeysRefused);
	CPPUNIT_TEST(testLimits);
	CPPUNIT_TEST(testUtf8);
	CPPUNIT_TEST(testTypedAccess);
	CPPUNIT_TEST(testObjectRequired);
	CPPUNIT_TEST(testSameValuesAsPoco);
	CPPUNIT_TEST_SUITE_END();

public:
	void testClientFrame()
	{
		const JsonValue frame = JsonParser().parseObject(R"( {"type" : "chatmsg","toUserId":1,"text":"hola","clientMsgId":"a1","b":true,"z":null} )");
		CPPUNIT_ASSERT_EQUAL(std::size_t(6), frame.members().size());
		CPPUNIT_ASSERT_EQUAL(std::string("chatmsg"), frame.find("type")->string());
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(1), frame.find("toUserId")->integer());
		CPPUNIT_ASSERT_EQUAL(std::string("hola"), frame.find("text")->string());
		CPPUNIT_ASSERT(frame.find("b")->boolean());
		CPPUNIT_ASSERT(frame.find("z")->isNull());
		CPPUNIT_ASSERT(frame.find("missing") == nullptr);
		CPPUNIT_ASSERT(JsonParser().parseObject("{}").members().empty());
	}

	void testNestedValuesInOrder()
	{
		const JsonValue value = JsonParser().parse(R"({"z":{"b":[1,"x",[],{}],"a":false},"a":[]})");
		const auto& members = value.members();
		CPPUNIT_ASSERT_EQUAL(std::string("z"), members[0].key);
		CPPUNIT_ASSERT_EQUAL(std::string("a"), members[1].key);
		const JsonValue& list = *members[0].value.find("b");
		CPPUNIT_ASSERT_EQUAL(std::size_t(4), list.elements().size());
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(1), list.elements()[0].integer());
		CPPUNIT_ASSERT_EQUAL(std::string("x"), list.elements()[1].string());
		CPPUNIT_ASSERT(list.elements()[2].isArray());
		CPPUNIT_ASSERT(list.elements()[3].isObject());
		CPPUNIT_ASSERT(!members[0].value.find("a")->boolean());
		CPPUNIT_ASSERT(JsonParser().parse("[]").elements().empty());
		CPPUNIT_ASSERT_EQUAL(std::string("s"), JsonParser().parse("\"s\"").string());
	}

	void testEscapes()
	{
		const JsonValue value = JsonParser().parse(R"(["a\\b\/c\n\t\r\b\f\"", "h\u00e9 \ud83d\ude00", "nul\u0000"])");
		CPPUNIT_ASSERT_EQUAL(std::string("a\\b/c\n\t\r\b\f\""), value.elements()[0].string());
		CPPUNIT_ASSERT_EQUAL(std::string("h\xc3\xa9 \xf0\x9f\x98\x80"), value.elements()[1].string());
		CPPUNIT_ASSERT_EQUAL(std::string("nul\0", 4), value.elements()[2].string());
	}

	void testNumbers()
	{
		const JsonValue value = JsonParser().parse("[0,-0,-7,9223372036854775807,-9223372036854775808,1.5,-2e3,1E2,0.0]");
		const auto& n = value.elements();
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(0), n[0].integer());
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(0), n[1].integer());
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(-7), n[2].integer());
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(9223372036854775807LL), n[3].integer());
		CPPUNIT_ASSERT_EQUAL(std::numeric_limits<Poco::Int64>::min(), n[4].integer());
		// Fractions and exponents are doubles, never integers (even 1E2 and 0.0).
		CPPUNIT_ASSERT(n[5].isDouble());
		CPPUNIT_ASSERT_EQUAL(1.5, n[5].number());
		CPPUNIT_ASSERT_EQUAL(-2000.0, n[6].number());
		CPPUNIT_ASSERT(n[7].isDouble() && !n[7].isInteger());
		CPPUNIT_ASSERT(n[8].isDouble());
		CPPUNIT_ASSERT_EQUAL(-7.0, n[2].number());
		const JsonParser parser;
		CPPUNIT_ASSERT(contains(refusal(parser, "[9223372036854775808]"), "integer out of range"));
		CPPUNIT_ASSERT(contains(refusal(parser, "[-9223372036854775809]"), "integer out of range"));
		CPPUNIT_ASSERT(contains(refusal(parser, "[12345678901234567890123]"), "integer out of range"));
		CPPUNIT_ASSERT(contains(refusal(parser, "[1e400]"), "Number too big"));
		CPPUNIT_ASSERT(contains(refusal(parser, "[1e-400]"), "number out of range"));
		CPPUNIT_ASSERT(!refusal(parser, "[01]").empty());
		CPPUNIT_ASSERT(!refusal(parser, "[1.]").empty());
		CPPUNIT_ASSERT(!refusal(parser, "[.5]").empty());
		CPPUNIT_ASSERT(!refusal(parser, "[+1]").empty());
		CPPUNIT_ASSERT(!refusal(parser, "[NaN]").empty());
	}

	void testMalformedRefused()
	{
		const JsonParser parser;
		for (const char* text: {"", " ", "{", "}", "{\"a\":}", "{\"a\":1,}", "[1,]", "{\"a\":1} x", "{a:1}", "{'a':1}",
			"{\"a\":\"\x01\"}", "{\"a\":tru}", "{\"a\" 1}", "[1 2]", "/*c*/{}", "{} {}", "\"\\x\"", "\"\\u12\"", "\"abc"})
		{
			CPPUNIT_ASSERT_MESSAGE(text, !refusal(parser, text).empty());
		}
		CPPUNIT_ASSERT(contains(refusal(parser, "{\"a\":1,}"), "malformed JSON at byte 7"));
		// A NUL byte after the value (RapidJSON's end of text) is not white space.
		CPPUNIT_ASSERT(!refusal(parser, std::string("{}\0 ", 4)).empty());
		CPPUNIT_ASSERT(!refusal(parser, std::string("{\"a\":\"x\0\"}", 10)).empty());
	}

	void testDuplicateKeysRefused()
	{
		const JsonParser parser;
		CPPUNIT_ASSERT(contains(refusal(parser, R"({"type":"a","type":"b"})"), "duplicate key \"type\""));
		CPPUNIT_ASSERT(contains(refusal(parser, R"({"o":{"k":1,"k":2}})"), "duplicate key \"k\""));
		// The same key in different objects is fine.
		CPPUNIT_ASSERT(refusal(parser, R"({"k":{"k":1},"j":[{"k":1},{"k":2}]})").empty());
		// Large objects too, wherever the repeat is.
		std::string big = "{";
		for (int i = 0; i < 200; ++i) big += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
		CPPUNIT_ASSERT(refusal(parser, big + "\"last\":0}").empty());
		CPPUNIT_ASSERT(contains(refusal(parser, big + "\"k150\":0}"), "duplicate key \"k150\""));
		CPPUNIT_ASSERT(contains(refusal(parser, big + "\"k3\":0}"), "duplicate key \"k3\""));
	}

	void testLimits()
	{
		const JsonParser parser(JsonParser::Limits{64, 3, 10});
		CPPUNIT_ASSERT(refusal(parser, "[[[]]]").empty());
		CPPUNIT_ASSERT(contains(refusal(parser, "[[[[]]]]"), "nested deeper than 3"));
		CPPUNIT_ASSERT(contains(refusal(parser, "{\"a\":{\"b\":{\"c\":{}}}}"), "nested deeper than 3"));
		CPPUNIT_ASSERT(refusal(parser, "[1,2,3,4,5,6,7,8,9]").empty());
		CPPUNIT_ASSERT(contains(refusal(parser, "[1,2,3,4,5,6,7,8,9,10]"), "more than 10 JSON values"));
		CPPUNIT_ASSERT(refusal(parser, "\"" + std::string(62, 'x') + "\"").empty());
		CPPUNIT_ASSERT(contains(refusal(parser, "\"" + std::string(63, 'x') + "\""), "larger than 64 bytes"));
		// The default depth (32) holds against a deep text without a crash.
		CPPUNIT_ASSERT(contains(refusal(JsonParser(), std::string(100000, '[') + std::string(100000, ']')), "nested deeper than 32"));
		CPPUNIT_ASSERT(refusal(JsonParser(), std::string(32, '[') + std::string(32, ']')).empty());
	}

	void testUtf8()
	{
		const JsonParser parser;
		CPPUNIT_ASSERT(refusal(parser, "[\"caf\xc3\xa9 \xf0\x9f\x98\x80\"]").empty());
		for (const char* text: {"[\"\xff\"]", "[\"\xc3\"]", "[\"\xc0\xaf\"]", "[\"\xed\xa0\x80\"]", "[\"\xf4\x90\x80\x80\"]",
			"{\"\xe9\":1}", "[\"\\udc00\"]", "[\"\\ud800\"]", "[\"\\ud800x\"]", "[\"\\ud800\\u0041\"]"})
		{
			CPPUNIT_ASSERT_MESSAGE(text, !refusal(parser, text).empty());
		}
		CPPUNIT_ASSERT(contains(refusal(parser, "[\"\xff\"]"), "UTF-8"));
		CPPUNIT_ASSERT(contains(refusal(parser, "{\"\xe9\":1}"), "UTF-8"));
		// Outside strings a non-ASCII byte is a syntax error.
		CPPUNIT_ASSERT(!refusal(parser, "[1]\xc3\xa9").empty());
	}

	void testTypedAccess()
	{
		const JsonValue value = JsonParser().parseObject(R"({"n":12345,"t":true,"s":"x"})");
		CPPUNIT_ASSERT_THROW(value.find("n")->string(), Poco::BadCastException);
		CPPUNIT_ASSERT_THROW(value.find("s")->integer(), Poco::BadCastException);
		CPPUNIT_ASSERT_THROW(value.find("t")->string(), Poco::BadCastException);
		CPPUNIT_ASSERT_THROW(value.elements(), Poco::BadCastException);
		CPPUNIT_ASSERT_EQUAL(std::string("an integer"), std::string(JsonValue::typeName(value.find("n")->type())));
		CPPUNIT_ASSERT_EQUAL(std::string("a boolean"), std::string(JsonValue::typeName(value.find("t")->type())));
		CPPUNIT_ASSERT(JsonValue(std::string("x")).find("x") == nullptr);
	}

	void testObjectRequired()
	{
		const JsonParser parser;
		for (const char* text: {"[]", "1", "\"x\"", "null", "true"})
			CPPUNIT_ASSERT_THROW_MESSAGE(text, parser.parseObject(text), Poco::SyntaxException);
	}

	void testSameValuesAsPoco()
	{
		const std::string text = R"({"s":"h\u00e9 \"q\"\n","i":-42,"big":9007199254740993,"d":2.5,"t":true,"f":false,"z":null,"o":{"a":[1,"2",3.25]}})";
		const JsonValue mine = JsonParser().parseObject(text);
		Poco::JSON::Parser pocoParser;
		const Poco::JSON::Object::Ptr poco = pocoParser.parse(text).extract<Poco::JSON::Object::Ptr>();
		CPPUNIT_ASSERT_EQUAL(poco->getValue<std::string>("s"), mine.find("s")->string());
		CPPUNIT_ASSERT_EQUAL(poco->getValue<Poco::Int64>("i"), mine.find("i")->integer());
		CPPUNIT_ASSERT_EQUAL(poco->getValue<Poco::Int64>("big"), mine.find("big")->integer());
		CPPUNIT_ASSERT_EQUAL(poco->getValue<double>("d"), mine.find("d")->number());
		CPPUNIT_ASSERT_EQUAL(poco->getValue<bool>("t"), mine.find("t")->boolean());
		CPPUNIT_ASSERT_EQUAL(poco->getValue<bool>("f"), mine.find("f")->boolean());
		CPPUNIT_ASSERT(poco->isNull("z") && mine.find("z")->isNull());
		const Poco::JSON::Array::Ptr array = poco->getObject("o")->getArray("a");
		const auto& elements = mine.find("o")->find("a")->elements();
		CPPUNIT_ASSERT_EQUAL(array->getElement<Poco::Int64>(0), elements[0].integer());
		CPPUNIT_ASSERT_EQUAL(array->getElement<std::string>(1), elements[1].string());
		CPPUNIT_ASSERT_EQUAL(array->getElement<double>(2), elements[2].number());
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(JsonParserTest);
