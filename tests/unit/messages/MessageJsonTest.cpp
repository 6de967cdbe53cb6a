// MessageJson must write exactly what Poco's Stringifier makes of
// Message::toJson(): clients see one shape whichever path wrote it.
#include "MessageJson.h"
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <cppunit/extensions/HelperMacros.h>
#include <sstream>

using Palaver::Message;
using Palaver::Messages::MessageJson;

class MessageJsonTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(MessageJsonTest);
	CPPUNIT_TEST(testSameAsToJson);
	CPPUNIT_TEST(testEveryCharacter);
	CPPUNIT_TEST(testArrays);
	CPPUNIT_TEST_SUITE_END();

public:
	void testSameAsToJson()
	{
		assertSame(make(7, 2, 1, "hola", "Pepe", 1673952164000000LL));
		assertSame(make(1, 1, 1, "", "", 0));
		assertSame(make(9007199254740993LL, 123456789012LL, 5, "big ids", "n", 4102444799999999LL));
		assertSame(make(3, 4, 5, "quotes \" backslash \\ slash / and\ttab\nnewline\r\b\f", "\"Pepe\"", 1674000000123456LL));
		assertSame(make(3, 4, 5, "qu\xC3\xA9 tal \xF0\x9F\x98\x80 \xE2\x80\xA8 \xEF\xBB\xBF", "Jos\xC3\xA9", 1674000000000001LL));
		assertSame(make(3, 4, 5, "<script>alert('x')</script> &amp;", "a<b>", 1674000000999999LL));
	}

	void testEveryCharacter()
	{
		std::string all;
		for (int c = 1; c < 128; ++c) all += static_cast<char>(c);
		assertSame(make(1, 2, 3, all, all, 1674000000000000LL));
	}

	void testArrays()
	{
		std::vector<Message> messages;
		CPPUNIT_ASSERT_EQUAL(poco(messages), MessageJson::array(messages));
		messages.push_back(make(1, 2, 3, "one", "a", 1674000000000000LL));
		CPPUNIT_ASSERT_EQUAL(poco(messages), MessageJson::array(messages));
		messages.push_back(make(2, 3, 2, "two", "b", 1674000000000001LL));
		messages.push_back(make(3, 2, 3, "three", "a", 1674000000000002LL));
		const std::string text = MessageJson::array(messages);
		CPPUNIT_ASSERT_EQUAL(poco(messages), text);
		// And it parses back.
		Poco::JSON::Parser parser;
		auto parsed = parser.parse(text).extract<Poco::JSON::Array::Ptr>();
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), parsed->size());
		CPPUNIT_ASSERT_EQUAL(std::string("three"), parsed->getObject(2)->getValue<std::string>("text"));
	}

private:
	static Message make(Poco::Int64 id, Poco::Int64 from, Poco::Int64 to, const std::string& text, const std::string& name, Poco::Int64 time)
	{
		Message m;
		m.id = id;
		m.fromUserId = from;
		m.toUserId = to;
		m.text = text;
		m.fromUserName = name;
		m.timestamp = time;
		return m;
	}

	static std::string poco(const std::vector<Message>& messages)
	{
		Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
		for (const auto& m: messages) array->add(m.toJson());
		std::ostringstream out;
		Poco::JSON::Stringifier::condense(array, out);
		return out.str();
	}

	static void assertSame(const Message& message)
	{
		std::ostringstream expected;
		Poco::JSON::Stringifier::condense(message.toJson(), expected);
		std::string actual;
		MessageJson::append(actual, message);
		CPPUNIT_ASSERT_EQUAL(expected.str(), actual);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(MessageJsonTest);
