// JsonWriter must escape strings exactly as Poco 1.11's Stringifier does
// (Poco::toJSON): clients see the same text whichever path wrote it.
#include "palaver/JsonWriter.h"
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/JSONString.h>
#include <cppunit/extensions/HelperMacros.h>
#include <limits>
#include <random>
#include <sstream>

using Palaver::JsonWriter;

class JsonWriterTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(JsonWriterTest);
	CPPUNIT_TEST(testRules);
	CPPUNIT_TEST(testTrickyTexts);
	CPPUNIT_TEST(testEveryByte);
	CPPUNIT_TEST(testRandomTexts);
	CPPUNIT_TEST(testAppends);
	CPPUNIT_TEST(testIntegers);
	CPPUNIT_TEST_SUITE_END();

public:
	void testRules()
	{
		// The rules the header promises, spelled out.
		CPPUNIT_ASSERT_EQUAL(std::string("\"\""), string(""));
		CPPUNIT_ASSERT_EQUAL(std::string("\"a\\\"b\\\\c/d\""), string("a\"b\\c/d"));
		CPPUNIT_ASSERT_EQUAL(std::string("\"\\b\\t\\n\\f\\r\\u000B\\u0007\\u001F\\u0000\""), string(std::string("\b\t\n\f\r\v\a\x1F", 8) + '\0'));
		CPPUNIT_ASSERT_EQUAL(std::string("\"\x7F\""), string("\x7F"));
		CPPUNIT_ASSERT_EQUAL(std::string("\"\xF0\x9F\x98\x80\""), string("\xF0\x9F\x98\x80"));
	}

	void testTrickyTexts()
	{
		const std::string texts[] = {
			"",
			"hola",
			"\"",
			"\\",
			"\"\"\\\\",
			"quotes \" backslash \\ slash / and\ttab\nnewline\r\b\f",
			"ends with a backslash \\",
			"\\u0041 is not unescaped",
			std::string("nul \0 inside", 12),
			std::string("\0", 1),
			"qu\xC3\xA9 tal \xC2\xBF",                       // 2-byte UTF-8
			"\xE2\x82\xAC \xE6\x97\xA5\xE6\x9C\xAC \xE2\x80\xA8 \xE2\x80\xA9 \xEF\xBB\xBF",  // 3-byte, U+2028/9, BOM
			"\xF0\x9F\x98\x80\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7",  // emoji, ZWJ family
			"\xF4\x8F\xBF\xBF \xF0\x90\x80\x80",                // 4-byte: U+10FFFF, U+10000
			"\xED\xA0\x80 \xC0\xAF \xFF\xFE",                   // not UTF-8: passed on as it is
			"<script>alert('x')</script> &amp; </script>",
			std::string(5000, 'x') + "\n" + std::string(5000, '"'),
		};
		for (const auto& text: texts) assertLikePoco(text);
	}

	void testEveryByte()
	{
		for (int c = 0; c < 256; ++c)
		{
			const std::string one(1, static_cast<char>(c));
			assertLikePoco(one);
			assertLikePoco("a" + one + "b");
			assertLikePoco(one + one);
		}
		std::string all;
		for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
		assertLikePoco(all);
	}

	void testRandomTexts()
	{
		// Mixed plain runs and escapes, at every position and length.
		std::mt19937 random(20261127);
		const char alphabet[] = {'a', 'Z', ' ', '/', '"', '\\', '\n', '\x01', '\x1F', '\x7F', '\xC3', '\xA9', '\xF0', '\x9F', '\0'};
		for (int i = 0; i < 2000; ++i)
		{
			std::string text(random() % 40, ' ');
			for (char& c: text) c = alphabet[random() % sizeof(alphabet)];
			assertLikePoco(text);
		}
	}

	void testAppends()
	{
		// Appends to what is there; and what it writes parses back to the text.
		std::string out = "[";
		JsonWriter::appendString(out, "x\"y");
		out += ',';
		JsonWriter::appendInt(out, -42);
		out += ']';
		CPPUNIT_ASSERT_EQUAL(std::string("[\"x\\\"y\",-42]"), out);

		const std::string text = std::string("a\0b\x01\"\\/\xF0\x9F\x98\x80\n", 13);
		std::string object = "{\"t\":";
		JsonWriter::appendString(object, text);
		object += '}';
		Poco::JSON::Parser parser;
		auto parsed = parser.parse(object).extract<Poco::JSON::Object::Ptr>();
		CPPUNIT_ASSERT(parsed->getValue<std::string>("t") == text);
	}

	void testIntegers()
	{
		const Poco::Int64 values[] = {0, 1, -1, 9, 10, 99, 100, 123456789, -987654321,
			9007199254740993LL, std::numeric_limits<Poco::Int64>::max(), std::numeric_limits<Poco::Int64>::min()};
		for (Poco::Int64 value: values)
		{
			Poco::JSON::Object object;
			object.set("n", value);
			std::ostringstream expected;
			Poco::JSON::Stringifier::condense(object, expected);
			std::string actual = "{\"n\":";
			JsonWriter::appendInt(actual, value);
			actual += '}';
			CPPUNIT_ASSERT_EQUAL(expected.str(), actual);
		}
	}

private:
	static std::string string(const std::string& value)
	{
		std::string out;
		JsonWriter::appendString(out, value);
		return out;
	}

	static void assertLikePoco(const std::string& value)
	{
		// Poco's own string escaping, and the Stringifier on an object.
		CPPUNIT_ASSERT_EQUAL(Poco::toJSON(value, Poco::JSON_WRAP_STRINGS), string(value));
		Poco::JSON::Object object;
		object.set("k", value);
		std::ostringstream expected;
		Poco::JSON::Stringifier::condense(object, expected);
		CPPUNIT_ASSERT_EQUAL(expected.str(), "{\"k\":" + string(value) + "}");
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(JsonWriterTest);
