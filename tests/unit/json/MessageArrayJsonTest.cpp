// Message::arrayJsonText must write exactly what Poco's Stringifier makes of an array
// of Message::toJson(): clients see one shape whichever path wrote it.
// (Each message's text, and toJson() against its former self, byte by byte:
// tests/unit/json/MessageJsonTextTest.cpp.)
#include "palaver/Message.h"
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <cppunit/extensions/HelperMacros.h>
#include <sstream>

using Palaver::Message;

class MessageArrayJsonTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(MessageArrayJsonTest);
	CPPUNIT_TEST(testEmpty);
	CPPUNIT_TEST(testTrickyArrays);
	CPPUNIT_TEST(testLongArray);
	CPPUNIT_TEST_SUITE_END();

public:
	void testEmpty()
	{
		const std::vector<Message> none;
		CPPUNIT_ASSERT_EQUAL(std::string("[]"), Message::arrayJsonText(none));
		CPPUNIT_ASSERT_EQUAL(poco(none), Message::arrayJsonText(none));
	}

	void testTrickyArrays()
	{
		std::string every;
		for (int c = 0; c < 256; ++c) every += static_cast<char>(c);
		std::vector<Message> messages;
		messages.push_back(message(1, "", ""));
		CPPUNIT_ASSERT_EQUAL(poco(messages), Message::arrayJsonText(messages));
		messages.push_back(message(2, "\"quoted\" \\ / \t\n\r\b\f\x01\x1F\x7F", "\"n\""));
		messages.push_back(message(3, "\xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF caf\xC3\xA9 \xE2\x80\xA8", "Jos\xC3\xA9"));
		messages.push_back(message(4, std::string("nul\0end", 7), every));
		messages.push_back(message(5, every, "\\"));
		const std::string text = Message::arrayJsonText(messages);
		CPPUNIT_ASSERT_EQUAL(poco(messages), text);

		// And it parses back to the same texts (bar the invalid UTF-8 of "every").
		Poco::JSON::Parser parser;
		auto parsed = parser.parse(Message::arrayJsonText(std::vector<Message>(messages.begin(), messages.begin() + 3)))
			.extract<Poco::JSON::Array::Ptr>();
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), parsed->size());
		for (std::size_t i = 0; i < 3; ++i)
			CPPUNIT_ASSERT_EQUAL(messages[i].text, parsed->getObject(static_cast<unsigned>(i))->getValue<std::string>("text"));
	}

	void testLongArray()
	{
		// A full page: the size estimate holds, nothing is cut or repeated.
		std::vector<Message> messages;
		for (int i = 0; i < 1000; ++i)
			messages.push_back(message(i + 1, "m" + std::to_string(i) + std::string(static_cast<std::size_t>(i % 7), '"'), "u"));
		const std::string text = Message::arrayJsonText(messages);
		CPPUNIT_ASSERT_EQUAL(poco(messages), text);
		Poco::JSON::Parser parser;
		CPPUNIT_ASSERT_EQUAL(std::size_t(1000), parser.parse(text).extract<Poco::JSON::Array::Ptr>()->size());
	}

private:
	static Message message(Poco::Int64 id, const std::string& text, const std::string& name)
	{
		Message m;
		m.id = id;
		m.fromUserId = id % 2 ? 2 : 3;
		m.toUserId = id % 2 ? 3 : 2;
		m.text = text;
		m.fromUserName = name;
		m.timestamp = 1674000000000000LL + id * 1234567;
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
};

CPPUNIT_TEST_SUITE_REGISTRATION(MessageArrayJsonTest);
