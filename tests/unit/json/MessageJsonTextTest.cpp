// Message::appendJson / toJsonText must write byte for byte what the
// Stringifier made of Message::toJson() before either was made faster
// (legacyJson below is that toJson(), with Poco's DateTimeFormatter, and the
// keys PROTOCOL.md Part 2 added), and toJson() itself must not have changed.
#include "palaver/Message.h"
#include <Poco/DateTimeFormatter.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Timestamp.h>
#include <cppunit/extensions/HelperMacros.h>
#include <random>
#include <sstream>

using Palaver::Message;

class MessageJsonTextTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(MessageJsonTextTest);
	CPPUNIT_TEST(testSameAsBefore);
	CPPUNIT_TEST(testEveryByte);
	CPPUNIT_TEST(testPart2Keys);
	CPPUNIT_TEST(testDates);
	CPPUNIT_TEST(testAppendsAndParses);
	CPPUNIT_TEST(testChatmsgFrame);
	CPPUNIT_TEST_SUITE_END();

public:
	void testSameAsBefore()
	{
		assertSame(make(7, 2, 1, "hola", "Pepe", 1673952164000000LL));
		assertSame(make(1, 1, 1, "", "", 0));
		assertSame(make(9007199254740993LL, 123456789012LL, 5, "big ids", "n", 4102444799999999LL));
		assertSame(make(3, 4, 5, "quotes \" backslash \\ slash / and\ttab\nnewline\r\b\f\v\a", "\"Pepe\"", 1674000000123456LL));
		assertSame(make(3, 4, 5, "qu\xC3\xA9 tal \xF0\x9F\x98\x80 \xE2\x80\xA8 \xEF\xBB\xBF", "Jos\xC3\xA9", 1674000000000001LL));
		assertSame(make(3, 4, 5, "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7 \xF4\x8F\xBF\xBF", "\xF0\x90\x80\x80", 1674000000000002LL));
		assertSame(make(3, 4, 5, "<script>alert('x')</script> &amp;", "a<b>", 1674000000999999LL));
		assertSame(make(3, 4, 5, std::string("nul\0", 4), std::string("\0", 1), 951782400000000LL));
		assertSame(make(3, 4, 5, "ends \\", "\\", 1));
		assertSame(make(3, 4, 5, std::string(4000, '\\'), std::string(255, 'n'), 1674000000000000LL));
	}

	void testEveryByte()
	{
		std::string all;
		for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
		assertSame(make(1, 2, 3, all, all, 1674000000000000LL));
	}

	void testPart2Keys()
	{
		Message group = make(8, 2, 0, "al grupo", "Pepe", 1673952164000000LL);
		group.groupId = 9;
		assertSame(group);
		Message edited = make(10, 2, 1, "corregido", "Pepe", 1673952164000000LL);
		edited.editedAt = 1673952200123456LL;
		assertSame(edited);
		Message deleted = make(11, 2, 0, "", "Pepe", 1673952164000000LL);
		deleted.groupId = 4;
		deleted.deleted = true;
		assertSame(deleted);
		CPPUNIT_ASSERT(deleted.toJsonText().find("\"toUserId\":null") != std::string::npos);

		Poco::JSON::Parser parser;
		const Message back = Message::fromJson(*parser.parse(deleted.toJsonText()).extract<Poco::JSON::Object::Ptr>());
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(0), back.toUserId);
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(4), back.groupId);
		CPPUNIT_ASSERT(back.deleted);
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(0), back.editedAt);
		const Message backEdited = Message::fromJson(*parser.parse(edited.toJsonText()).extract<Poco::JSON::Object::Ptr>());
		CPPUNIT_ASSERT_EQUAL(edited.editedAt, backEdited.editedAt);
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(0), backEdited.groupId);
		CPPUNIT_ASSERT(!backEdited.deleted);
	}

	void testDates()
	{
		// The date without DateTimeFormatter, against it: edges of days,
		// months, leap years (1972, 2000, 2100 is none), the range's ends,
		// and outside it (before 1970, year 10000 on), where Poco writes it.
		const Poco::Int64 day = 86400LL * 1000000LL;
		const Poco::Int64 times[] = {
			0, 1, 999999, 1000000, day - 1, day, 59 * day, 60 * day,  // 1970-03-01
			(365 + 365 + 59) * day, (365 + 365 + 59) * day - 1,          // 1972-02-29
			951782400000000LL, 951868800000000LL,                        // 2000-02-29, 03-01
			4107456000000000LL, 4107542400000000LL,                      // 2100-02-28, 03-01
			1673952164123456LL, 4102444799999999LL, 4102444800000000LL,
			253402300799999999LL,                                        // 9999-12-31 23:59:59.999999
			253402300800000000LL, 253402300800000001LL,                  // 10000-01-01
			-1, -day, -1000000, -62135596800000000LL,                    // before 1970
		};
		for (Poco::Int64 time: times) assertDate(time);
		std::mt19937_64 random(20261127);
		for (int i = 0; i < 20000; ++i)
			assertDate(static_cast<Poco::Int64>(random() % 253402300800000000ULL));
		for (int i = 0; i < 2000; ++i)  // around now, to the microsecond
			assertDate(1700000000000000LL + static_cast<Poco::Int64>(random() % (100LL * 365 * day)));
	}

	void testAppendsAndParses()
	{
		const Message message = make(12, 3, 4, "l\xC3\xADnea 1\nl\xC3\xADnea \"2\" \\ \xF0\x9F\x98\x80", "Mar\xC3\xAD""a", 1674000000654321LL);
		std::string out = "[";
		message.appendJson(out);
		out += ",";
		message.appendJson(out);
		out += "]";
		CPPUNIT_ASSERT_EQUAL("[" + message.toJsonText() + "," + message.toJsonText() + "]", out);

		Poco::JSON::Parser parser;
		const Message back = Message::fromJson(*parser.parse(message.toJsonText()).extract<Poco::JSON::Object::Ptr>());
		CPPUNIT_ASSERT_EQUAL(message.id, back.id);
		CPPUNIT_ASSERT_EQUAL(message.fromUserId, back.fromUserId);
		CPPUNIT_ASSERT_EQUAL(message.toUserId, back.toUserId);
		CPPUNIT_ASSERT_EQUAL(message.text, back.text);
		CPPUNIT_ASSERT_EQUAL(message.fromUserName, back.fromUserName);
		CPPUNIT_ASSERT_EQUAL(message.timestamp, back.timestamp);
	}

	void testChatmsgFrame()
	{
		// The ws plugin's chatmsg frame is toJson() plus "type" (Dispatcher::
		// chatmsgJson); "type" sorts after "toUserId", so the frame is also
		// toJsonText() with the member added before its last '}'.
		const Message message = make(5, 6, 7, "a \"frame\" \xF0\x9F\x98\x80", "Ana", 1674000000000005LL);
		Poco::JSON::Object frame(*message.toJson());
		frame.set("type", "chatmsg");
		std::ostringstream expected;
		Poco::JSON::Stringifier::condense(frame, expected);
		std::string text = message.toJsonText();
		text.pop_back();
		text += ",\"type\":\"chatmsg\"}";
		CPPUNIT_ASSERT_EQUAL(expected.str(), text);
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

	static Poco::JSON::Object::Ptr legacyTime(Poco::Int64 timestamp)
	{
		Poco::JSON::Object::Ptr time = new Poco::JSON::Object;
		time->set("date", Poco::DateTimeFormatter::format(Poco::Timestamp(timestamp), "%Y-%m-%d %H:%M:%S.%F"));
		time->set("timezone_type", 3);
		time->set("timezone", std::string("UTC"));
		return time;
	}

	static Poco::Dynamic::Var idOrNull(Poco::Int64 id)
	{
		return id == 0 ? Poco::Dynamic::Var() : Poco::Dynamic::Var(id);
	}

	// Message::toJson() as it was before JsonWriter (commit 2a6ee96), with
	// the keys of PROTOCOL.md Part 2.
	static Poco::JSON::Object::Ptr legacyJson(const Message& m)
	{
		Poco::JSON::Object::Ptr json = new Poco::JSON::Object;
		json->set("id", m.id);
		json->set("fromUserId", m.fromUserId);
		json->set("toUserId", idOrNull(m.toUserId));
		json->set("groupId", idOrNull(m.groupId));
		json->set("text", m.text);
		json->set("timestamp", legacyTime(m.timestamp));
		json->set("editedAt", m.editedAt == 0 ? Poco::Dynamic::Var() : Poco::Dynamic::Var(legacyTime(m.editedAt)));
		json->set("deleted", m.deleted);
		json->set("attachment", Poco::Dynamic::Var());
		// No name: a deleted sender's message (PROTOCOL.md, DELETE /me).
		if (m.fromUserName.empty()) json->set("fromUserName", Poco::Dynamic::Var());
		else json->set("fromUserName", m.fromUserName);
		return json;
	}

	static std::string condense(const Poco::JSON::Object::Ptr& json)
	{
		std::ostringstream out;
		Poco::JSON::Stringifier::condense(json, out);
		return out.str();
	}

	static void assertSame(const Message& message)
	{
		const std::string expected = condense(legacyJson(message));
		std::string appended = "x";
		message.appendJson(appended);
		CPPUNIT_ASSERT_EQUAL("x" + expected, appended);
		CPPUNIT_ASSERT_EQUAL(expected, message.toJsonText());
		CPPUNIT_ASSERT_EQUAL(expected, condense(message.toJson()));
	}

	static void assertDate(Poco::Int64 time)
	{
		const std::string expected = Poco::DateTimeFormatter::format(Poco::Timestamp(time), "%Y-%m-%d %H:%M:%S.%F");
		Message message = make(1, 2, 3, "t", "n", time);
		CPPUNIT_ASSERT_EQUAL(expected, message.toJson()->getObject("timestamp")->getValue<std::string>("date"));
		const std::string text = message.toJsonText();
		CPPUNIT_ASSERT_MESSAGE(std::to_string(time) + ": " + text, text.find("\"date\":\"" + expected + "\"") != std::string::npos);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(MessageJsonTextTest);
