// Unit tests of the ws plugin's hot-path JSON (plugins/ws/src/ClientJson.cpp, JsonOut.cpp): the
// flat parser must read what Poco's parser reads and leave everything else to
// it; the writer must give Poco's bytes.
#include "Dispatcher.h"
#include "ClientJson.h"
#include "JsonOut.h"
#include "palaver/JsonWriter.h"
#include <Poco/JSON/Parser.h>
#include <cppunit/extensions/HelperMacros.h>
#include <sstream>
#include <string>

using Palaver::Ws::ClientJson;
using Palaver::Ws::Dispatcher;
using Palaver::Ws::JsonOut;

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
	CPPUNIT_TEST(testFlatFrameTakesFastPath);
	CPPUNIT_TEST(testEscapes);
	CPPUNIT_TEST(testLastDuplicateWins);
	CPPUNIT_TEST(testFallsBackToPoco);
	CPPUNIT_TEST(testRefusedLikePoco);
	CPPUNIT_TEST(testSameValuesAsPoco);
	CPPUNIT_TEST(testStringsWrittenAsPoco);
	CPPUNIT_TEST(testObjectWrittenAsPoco);
	CPPUNIT_TEST(testReplayedFrameAsLive);
	CPPUNIT_TEST(testErrorAndAckAsPoco);
	CPPUNIT_TEST_SUITE_END();

public:
	void testFlatFrameTakesFastPath()
	{
		ClientJson json;
		CPPUNIT_ASSERT(json.parse(" {\"type\" : \"chatmsg\",\"toUserId\":42,\"text\":\"h\\u00e9\",\"n\":-7, \"b\":true,\"z\":null} ", 16));
		CPPUNIT_ASSERT(!json.fast());  // \u goes to Poco
		CPPUNIT_ASSERT(json.parse("{\"type\":\"chatmsg\",\"toUserId\":42,\"text\":\"h\xc3\xa9 \\\"q\\\"\",\"clientMsgId\":\"a1\",\"n\":-7,\"b\":true,\"z\":null}", 16));
		CPPUNIT_ASSERT(json.fast());
		CPPUNIT_ASSERT_EQUAL(std::string("chatmsg"), json.find("type")->text);
		CPPUNIT_ASSERT(json.find("toUserId")->kind == ClientJson::Kind::Integer);
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(42), json.find("toUserId")->number);
		CPPUNIT_ASSERT_EQUAL(std::string("h\xc3\xa9 \"q\""), json.find("text")->text);
		CPPUNIT_ASSERT_EQUAL(std::string("-7"), json.find("n")->text);
		CPPUNIT_ASSERT(json.find("b")->kind == ClientJson::Kind::Other);
		CPPUNIT_ASSERT(json.find("z")->kind == ClientJson::Kind::Other);
		CPPUNIT_ASSERT(json.find("missing") == nullptr);
		CPPUNIT_ASSERT(json.parse("{}", 16));
		CPPUNIT_ASSERT(json.fast());
		CPPUNIT_ASSERT(json.find("type") == nullptr);  // nothing left from the previous frame
	}

	void testEscapes()
	{
		ClientJson json;
		CPPUNIT_ASSERT(json.parse("{\"t\":\"a\\\\b\\/c\\n\\t\\r\\b\\f\"}", 16));
		CPPUNIT_ASSERT(json.fast());
		CPPUNIT_ASSERT_EQUAL(std::string("a\\b/c\n\t\r\b\f"), json.find("t")->text);
	}

	void testLastDuplicateWins()
	{
		ClientJson json;
		CPPUNIT_ASSERT(json.parse("{\"type\":\"a\",\"type\":\"b\"}", 16));
		CPPUNIT_ASSERT_EQUAL(std::string("b"), json.find("type")->text);
	}

	void testFallsBackToPoco()
	{
		ClientJson json;
		// Nested values, doubles, long numbers: Poco's parser, same fields.
		CPPUNIT_ASSERT(json.parse("{\"type\":\"chatmsg\",\"o\":{\"a\":[1,2]},\"d\":1.5,\"big\":12345678901234567890,\"id\":1234567890123456789}", 16));
		CPPUNIT_ASSERT(!json.fast());
		CPPUNIT_ASSERT_EQUAL(std::string("chatmsg"), json.find("type")->text);
		CPPUNIT_ASSERT(json.find("o")->kind == ClientJson::Kind::Other);
		CPPUNIT_ASSERT(json.find("d")->kind == ClientJson::Kind::Other);
		CPPUNIT_ASSERT(json.find("big")->kind == ClientJson::Kind::Integer);
		CPPUNIT_ASSERT(!json.find("big")->inRange);
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(1234567890123456789LL), json.find("id")->number);
		Poco::Int64 id = 0;
		CPPUNIT_ASSERT(!Dispatcher::idField(json, "big", id));
		CPPUNIT_ASSERT(Dispatcher::idField(json, "id", id));
	}

	void testRefusedLikePoco()
	{
		ClientJson json;
		for (const char* text: {"", "[1]", "\"x\"", "5", "{", "{\"a\":}", "{\"a\":1,}", "{\"a\":1} x", "{a:1}", "{\"a\":01}",
			"{\"a\":\"\x01\"}", "{\"a\":tru}", "{\"a\" 1}"})
		{
			CPPUNIT_ASSERT_MESSAGE(text, !json.parse(text, 16));
		}
		// Deeper than the limit: refused (by Poco).
		CPPUNIT_ASSERT(!json.parse("{\"a\":" + std::string(20, '[') + std::string(20, ']') + "}", 16));
	}

	void testSameValuesAsPoco()
	{
		// Strings, integers and ids read alike on both paths.
		for (const char* text: {"{\"toUserId\":\"17\",\"clientMsgId\":99,\"text\":\"x\"}", "{\"toUserId\":-3,\"clientMsgId\":\"\"}",
			"{\"toUserId\":0,\"upToId\":-0}"})
		{
			ClientJson json;
			CPPUNIT_ASSERT(json.parse(text, 16));
			CPPUNIT_ASSERT(json.fast());
			Poco::JSON::Parser parser;
			Poco::JSON::Object::Ptr poco = parser.parse(text).extract<Poco::JSON::Object::Ptr>();
			for (const auto& member: *poco)
			{
				const ClientJson::Field* field = json.find(member.first.c_str());
				CPPUNIT_ASSERT(field);
				CPPUNIT_ASSERT_EQUAL(member.second.convert<std::string>(), field->text);
				CPPUNIT_ASSERT_EQUAL(member.second.isString(), field->kind == ClientJson::Kind::String);
				CPPUNIT_ASSERT_EQUAL(member.second.isInteger(), field->kind == ClientJson::Kind::Integer);
			}
		}
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
		JsonOut::appendObject(out, small, "zz", "v");
		small.set("zz", "v");
		CPPUNIT_ASSERT_EQUAL(pocoString(small), out);
		CPPUNIT_ASSERT_EQUAL(pocoString(message), Dispatcher::stringify(message));
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
		CPPUNIT_ASSERT_EQUAL(Dispatcher::chatmsgJson(*message.toJson()), Dispatcher::chatmsgJson(message));
		message.text.clear();
		message.fromUserName.clear();
		CPPUNIT_ASSERT_EQUAL(Dispatcher::chatmsgJson(*message.toJson()), Dispatcher::chatmsgJson(message));
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
