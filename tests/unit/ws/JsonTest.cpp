// Unit tests of the ws plugin's JSON (plugins/ws/src/Dispatcher.cpp): frames
// read by libpalaver's JsonParser (its own rules: tests/unit/json/JsonParserTest.cpp)
// and ids taken from integers or strings of digits; frames written by
// JsonWriter with Poco's bytes.
#include "Dispatcher.h"
#include "palaver/JsonParser.h"
#include "palaver/JsonWriter.h"
#include <Poco/JSON/Parser.h>
#include <cppunit/extensions/HelperMacros.h>
#include <sstream>
#include <string>

using Palaver::JsonValue;
using Palaver::Ws::Dispatcher;

namespace {

std::string pocoString(const Poco::JSON::Object& object)
{
	std::ostringstream out;
	object.stringify(out);
	return out.str();
}

} // namespace

class WsJsonTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(WsJsonTest);
	CPPUNIT_TEST(testFrameFields);
	CPPUNIT_TEST(testIdsAsStringsOrIntegers);
	CPPUNIT_TEST(testStringsWrittenAsPoco);
	CPPUNIT_TEST(testObjectWrittenAsPoco);
	CPPUNIT_TEST(testReplayedFrameAsLive);
	CPPUNIT_TEST(testErrorAndAckAsPoco);
	CPPUNIT_TEST_SUITE_END();

public:
	void testFrameFields()
	{
		const JsonValue frame = Palaver::JsonParser().parseObject(
			"{\"type\":\"chatmsg\",\"toUserId\":42,\"text\":\"h\xc3\xa9 \\\"q\\\"\",\"clientMsgId\":\"a1\",\"n\":-7,\"b\":true,\"z\":null}");
		CPPUNIT_ASSERT_EQUAL(std::string("chatmsg"), frame.find("type")->string());
		CPPUNIT_ASSERT_EQUAL(std::string("h\xc3\xa9 \"q\""), frame.find("text")->string());
		Poco::Int64 id = 0;
		CPPUNIT_ASSERT(Dispatcher::idField(frame, "toUserId", id));
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(42), id);
		CPPUNIT_ASSERT(!Dispatcher::idField(frame, "n", id));         // negative
		CPPUNIT_ASSERT(!Dispatcher::idField(frame, "b", id));         // a boolean
		CPPUNIT_ASSERT(!Dispatcher::idField(frame, "z", id));         // null
		CPPUNIT_ASSERT(!Dispatcher::idField(frame, "type", id));      // not digits
		CPPUNIT_ASSERT(!Dispatcher::idField(frame, "missing", id));
	}

	void testIdsAsStringsOrIntegers()
	{
		const JsonValue frame = Palaver::JsonParser().parseObject(
			R"({"a":"17","b":0,"c":"0","d":"","e":"1234567890123456789","f":1234567890123456789,"g":1.0,"h":"-3"})");
		Poco::Int64 id = 0;
		CPPUNIT_ASSERT(Dispatcher::idField(frame, "a", id) && id == 17);
		CPPUNIT_ASSERT(!Dispatcher::idField(frame, "b", id));
		CPPUNIT_ASSERT(Dispatcher::idField(frame, "b", id, true) && id == 0);
		CPPUNIT_ASSERT(Dispatcher::idField(frame, "c", id, true) && id == 0);
		CPPUNIT_ASSERT(!Dispatcher::idField(frame, "d", id));
		CPPUNIT_ASSERT(!Dispatcher::idField(frame, "e", id));  // 19 digits as a string: no
		CPPUNIT_ASSERT(Dispatcher::idField(frame, "f", id) && id == 1234567890123456789LL);
		CPPUNIT_ASSERT(!Dispatcher::idField(frame, "g", id));  // a fraction is not an id
		CPPUNIT_ASSERT(!Dispatcher::idField(frame, "h", id));
	}

	void testStringsWrittenAsPoco()
	{
		std::string all;
		for (int c = 1; c < 256; ++c) all.push_back(static_cast<char>(c));
		all += std::string("\0end", 4);
		for (const std::string& value: {all, std::string("plain"), std::string("\xf0\x9f\x98\x80 / \\ \""), std::string()})
		{
			Poco::JSON::Object object;
			object.set("k", value);
			std::string mine = "{\"k\":";
			Palaver::JsonWriter::appendString(mine, value);
			mine += "}";
			CPPUNIT_ASSERT_EQUAL(pocoString(object), mine);
		}
	}

	void testObjectWrittenAsPoco()
	{
		Poco::JSON::Object::Ptr time = new Poco::JSON::Object;
		time->set("date", "2026-11-27 10:00:00.000000");
		time->set("timezone_type", 3);
		time->set("timezone", "UTC");
		Poco::JSON::Object message;
		message.set("id", Poco::Int64(42));
		message.set("fromUserId", Poco::Int64(1));
		message.set("toUserId", Poco::Int64(2));
		message.set("text", "h\xc3\xa9\n\"x\"");
		message.set("timestamp", time);
		message.set("fromUserName", "ann");
		message.set("flag", true);
		message.set("ratio", 0.5);
		Poco::JSON::Object withType(message);
		withType.set("type", "chatmsg");
		CPPUNIT_ASSERT_EQUAL(pocoString(withType), Dispatcher::chatmsgJson(message));
		// A member the extra key replaces, and one that sorts last.
		Poco::JSON::Object typed(message);
		typed.set("type", "old");
		CPPUNIT_ASSERT_EQUAL(pocoString(withType), Dispatcher::chatmsgJson(typed));
		Poco::JSON::Object small;
		small.set("a", 1);
		std::string out;
		Palaver::JsonWriter::appendObject(out, small, "zz", "v");
		small.set("zz", "v");
		CPPUNIT_ASSERT_EQUAL(pocoString(small), out);
		out.clear();
		Palaver::JsonWriter::appendObject(out, message);
		CPPUNIT_ASSERT_EQUAL(pocoString(message), out);
	}

	void testReplayedFrameAsLive()
	{
		// A replayed chatmsg (built from the stored Message) and a live one
		// (from the message.stored payload) are the same bytes.
		Palaver::Message message;
		message.id = 9007199254740993;
		message.fromUserId = 3;
		message.toUserId = 1234567;
		message.text = std::string("\"q\" \\ \x01\x1f tab\t \xf0\x9f\x98\x80 end") + '\0' + "nul";
		message.timestamp = 1795773600123456;
		message.fromUserName = "z\u00e9";
		CPPUNIT_ASSERT_EQUAL(Dispatcher::chatmsgJson(*message.toJson()), Dispatcher::messageFrameJson(message));
		message.text.clear();
		message.fromUserName.clear();
		CPPUNIT_ASSERT_EQUAL(Dispatcher::chatmsgJson(*message.toJson()), Dispatcher::messageFrameJson(message));
	}

	void testErrorAndAckAsPoco()
	{
		Poco::JSON::Object error;
		error.set("type", "error");
		error.set("code", "validation_failed");
		error.set("message", "text must be \"a\" string");
		error.set("clientMsgId", "c\n1");
		error.set("field", "text");
		CPPUNIT_ASSERT_EQUAL(pocoString(error), Dispatcher::errorJson("validation_failed", "text must be \"a\" string", "c\n1", "text"));
		Poco::JSON::Object plain;
		plain.set("type", "error");
		plain.set("code", "bad_request");
		plain.set("message", "m");
		CPPUNIT_ASSERT_EQUAL(pocoString(plain), Dispatcher::errorJson("bad_request", "m"));
		Poco::JSON::Object ack;
		ack.set("type", "ack");
		ack.set("clientMsgId", "a1");
		ack.set("id", Poco::Int64(7));
		CPPUNIT_ASSERT_EQUAL(pocoString(ack), Dispatcher::ackJson(7, "a1"));
		Poco::JSON::Object bare;
		bare.set("type", "ack");
		bare.set("id", Poco::Int64(8));
		CPPUNIT_ASSERT_EQUAL(pocoString(bare), Dispatcher::ackJson(8, ""));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(WsJsonTest);
