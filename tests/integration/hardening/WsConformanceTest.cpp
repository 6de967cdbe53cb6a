// WebSocket conformance in the spirit of the Autobahn TestSuite, against the
// real palaverd: what tests/integration/ws does not already cover (it has one
// RSV bit, opcode 3, a 126-byte ping, a stray continuation, unmasked text,
// 1007 in one frame, and one echoed close code).
#include "WsTestSupport.h"
#include <Poco/JSON/Parser.h>
#include <Poco/Thread.h>
#include <algorithm>
#include <cppunit/extensions/HelperMacros.h>

using namespace Palaver::Testing;

namespace {

TestServer& server()
{
	static std::unique_ptr<TestServer> instance = startWsServer({
		"--ws.close_timeout=3", "--ws.handshake_timeout=2", "--ws.rate_limit=1000", "--ws.rate_burst=1000",
		"--auth.password_opslimit=1", "--auth.password_memlimit=8192"});
	return *instance;
}

Account& alice()
{
	static Account account = registerAccount(server(), "conf");
	return account;
}

Account& bob()
{
	static Account account = registerAccount(server(), "conf");
	return account;
}

/// A raw connection authenticated as alice, past its ready frame.
std::unique_ptr<RawWs> open()
{
	auto raw = std::make_unique<RawWs>(server().wsPort());
	CPPUNIT_ASSERT_EQUAL(101, raw->handshake("/?token=" + HttpClient::encode(alice().token)));
	auto first = raw->receive();
	CPPUNIT_ASSERT(first.payload.find("\"ready\"") != std::string::npos);
	return raw;
}

std::string closePayload(int code, const std::string& reason = "")
{
	std::string payload;
	payload.push_back(static_cast<char>(code >> 8));
	payload.push_back(static_cast<char>(code & 0xFF));
	return payload + reason;
}

std::string chatmsg(const std::string& text, const std::string& clientMsgId)
{
	return "{\"type\":\"chatmsg\",\"toUserId\":" + std::to_string(bob().id) + ",\"text\":\"" + text + "\",\"clientMsgId\":\"" + clientMsgId + "\"}";
}

/// Reads frames until the ack of clientMsgId; fails on a close or the end.
/// Returns the pongs seen on the way, in order.
std::vector<std::string> untilAck(RawWs& raw, const std::string& clientMsgId, const std::string& text = "")
{
	std::vector<std::string> pongs;
	bool acked = false;
	bool echoed = text.empty();
	for (int i = 0; i < 100 && !(acked && echoed); ++i)
	{
		auto frame = raw.receive();
		CPPUNIT_ASSERT_MESSAGE("closed with " + std::to_string(frame.closeCode()), frame.opcode != 8 && frame.opcode != -1);
		if (frame.opcode == 10) pongs.push_back(frame.payload);
		if (frame.opcode == 1 && frame.payload.find("\"ack\"") != std::string::npos && frame.payload.find("\"" + clientMsgId + "\"") != std::string::npos)
			acked = true;
		if (!text.empty() && frame.opcode == 1 && frame.payload.find("\"chatmsg\"") != std::string::npos)
		{
			auto json = Poco::JSON::Parser().parse(frame.payload).extract<Poco::JSON::Object::Ptr>();
			if (json->getValue<std::string>("text") == text) echoed = true;
		}
	}
	CPPUNIT_ASSERT_MESSAGE("no ack for " + clientMsgId, acked);
	CPPUNIT_ASSERT_MESSAGE("text not stored as sent", echoed);
	return pongs;
}

/// The next frame that is not a text frame (presence and chat frames may
/// come in between).
RawWs::Frame nextControl(RawWs& raw)
{
	for (int i = 0; i < 100; ++i)
	{
		auto frame = raw.receive();
		if (frame.opcode != 1) return frame;
	}
	CPPUNIT_FAIL("only text frames");
	return RawWs::Frame();
}

/// The next text frame that contains needle.
std::string nextTextWith(RawWs& raw, const std::string& needle)
{
	for (int i = 0; i < 100; ++i)
	{
		auto frame = raw.receive();
		CPPUNIT_ASSERT_MESSAGE("closed with " + std::to_string(frame.closeCode()), frame.opcode != 8 && frame.opcode != -1);
		if (frame.opcode == 1 && frame.payload.find(needle) != std::string::npos) return frame.payload;
	}
	CPPUNIT_FAIL("no text frame with " + needle);
	return "";
}

/// Sends bytes on a fresh connection and expects the server's close code.
void expectClose(const std::string& bytes, int code, const std::string& what)
{
	auto raw = open();
	raw->sendRaw(bytes);
	CPPUNIT_ASSERT_EQUAL_MESSAGE(what, code, raw->waitForClose());
}

} // namespace

class WsConformanceTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(WsConformanceTest);
	CPPUNIT_TEST(testPingPayloadsEchoed);
	CPPUNIT_TEST(testUnsolicitedPongIgnored);
	CPPUNIT_TEST(testFragmentsWithControlFramesInterleaved);
	CPPUNIT_TEST(testEmptyFragmentsAndOneByteFragments);
	CPPUNIT_TEST(testUtf8SplitAcrossFragments);
	CPPUNIT_TEST(testInvalidUtf8AcrossFragments);
	CPPUNIT_TEST(testValidCloseCodesEchoed);
	CPPUNIT_TEST(testCloseWithoutCode);
	CPPUNIT_TEST(testInvalidCloseCodes);
	CPPUNIT_TEST(testBadClosePayloads);
	CPPUNIT_TEST(testNothingAfterClose);
	CPPUNIT_TEST(testReservedBits);
	CPPUNIT_TEST(testReservedOpcodes);
	CPPUNIT_TEST(testUnmaskedControlFrames);
	CPPUNIT_TEST(testOversizeControlFrames);
	CPPUNIT_TEST(testFragmentationErrors);
	CPPUNIT_TEST(testHugeDeclaredLength);
	CPPUNIT_TEST(testFailedConnectionIsDropped);
	CPPUNIT_TEST(testSilentAndTrickledUpgradesAreDropped);
	CPPUNIT_TEST_SUITE_END();

public:
	void testPingPayloadsEchoed()
	{
		// Empty, text, binary (every byte value) and the largest allowed (125 bytes).
		std::string binary;
		for (int i = 0; i < 125; ++i) binary.push_back(static_cast<char>(i * 2 + 1));
		auto raw = open();
		const std::vector<std::string> pings = {"", "hola", std::string("\x00\xff\x80\x7f", 4), binary, std::string(125, 'p')};
		std::string burst;
		for (const auto& ping: pings) burst += RawWs::frame(9, ping);
		raw->sendRaw(burst);  // all in one write: answered one by one, in order
		for (const auto& ping: pings)
		{
			auto pong = nextControl(*raw);
			CPPUNIT_ASSERT_EQUAL(10, pong.opcode);
			CPPUNIT_ASSERT(ping == pong.payload);
		}
	}

	void testUnsolicitedPongIgnored()
	{
		auto raw = open();
		raw->sendRaw(RawWs::frame(10, "unasked") + RawWs::frame(10, ""));
		raw->sendText(chatmsg("after pongs", "p1"));
		CPPUNIT_ASSERT(untilAck(*raw, "p1").empty());
	}

	void testFragmentsWithControlFramesInterleaved()
	{
		// A text message in five fragments with a ping, a pong and a second
		// ping between them: the pings are answered at once, in order, and
		// the message is whole.
		auto raw = open();
		const std::string text = chatmsg("interleaved", "i1");
		const std::size_t n = text.size() / 5;
		std::string bytes = RawWs::frame(1, text.substr(0, n), false) + RawWs::frame(9, "one");
		bytes += RawWs::frame(0, text.substr(n, n), false) + RawWs::frame(10, "unasked");
		bytes += RawWs::frame(0, text.substr(2 * n, n), false) + RawWs::frame(9, "two");
		bytes += RawWs::frame(0, text.substr(3 * n, n), false) + RawWs::frame(0, text.substr(4 * n), true);
		raw->sendRaw(bytes);
		const auto pongs = untilAck(*raw, "i1", "interleaved");
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), pongs.size());
		CPPUNIT_ASSERT_EQUAL(std::string("one"), pongs[0]);
		CPPUNIT_ASSERT_EQUAL(std::string("two"), pongs[1]);
	}

	void testEmptyFragmentsAndOneByteFragments()
	{
		// Autobahn 5.x/6.x: empty fragments anywhere, and one byte per fragment.
		auto raw = open();
		const std::string text = chatmsg("tiny", "e1");
		std::string bytes = RawWs::frame(1, "", false);
		for (char c: text) bytes += RawWs::frame(0, std::string(1, c), false);
		bytes += RawWs::frame(0, "", true);
		raw->sendRaw(bytes);
		untilAck(*raw, "e1", "tiny");
		// An empty text message (one frame) is a JSON error, not a protocol one.
		raw->sendRaw(RawWs::frame(1, ""));
		nextTextWith(*raw, "\"bad_request\"");
	}

	void testUtf8SplitAcrossFragments()
	{
		// "κόσμε" and a 4-byte emoji, each split inside a code point.
		auto raw = open();
		const std::string word = "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5 \xf0\x9f\x98\x80";
		const std::string text = chatmsg(word, "u1");
		const std::size_t cut1 = text.find("\xce\xba") + 1;       // inside κ
		const std::size_t cut2 = text.find("\xf0\x9f") + 2;       // inside the emoji
		raw->sendRaw(RawWs::frame(1, text.substr(0, cut1), false) + RawWs::frame(0, text.substr(cut1, cut2 - cut1), false) +
			RawWs::frame(0, text.substr(cut2), true));
		untilAck(*raw, "u1", word);
	}

	void testInvalidUtf8AcrossFragments()
	{
		const std::string start = "{\"type\":\"typing\",\"x\":\"";
		// A code point started in one fragment and broken in the next.
		expectClose(RawWs::frame(1, start + "\xce", false) + RawWs::frame(0, "\x28\"}", true), 1007, "broken sequence across fragments");
		// A surrogate (ED A0 80) split over two fragments.
		expectClose(RawWs::frame(1, start + "\xed", false) + RawWs::frame(0, "\xa0\x80\"}", true), 1007, "surrogate across fragments");
		// A message that ends inside a code point.
		expectClose(RawWs::frame(1, start, false) + RawWs::frame(0, "\xf0\x9f\x98", true), 1007, "truncated at the end");
		// Invalid bytes in an early fragment: 1007 at the latest when the message ends.
		expectClose(RawWs::frame(1, start + "\xff", false) + RawWs::frame(0, "\"}", true), 1007, "0xFF in the first fragment");
		// Overlong encoding of '/', code points above U+10FFFF.
		expectClose(RawWs::frame(1, start + "\xc0\xaf\"}"), 1007, "overlong");
		expectClose(RawWs::frame(1, start + "\xf4\x90\x80\x80\"}"), 1007, "beyond U+10FFFF");
	}

	void testValidCloseCodesEchoed()
	{
		for (int code: {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999})
		{
			auto raw = open();
			raw->sendRaw(RawWs::frame(8, closePayload(code, "reason \xc3\xa9")));
			CPPUNIT_ASSERT_EQUAL_MESSAGE(std::to_string(code), code, raw->waitForClose());
			CPPUNIT_ASSERT_EQUAL(-1, raw->receive(5000).opcode);
		}
		// The longest reason a control frame can carry (123 bytes).
		auto raw = open();
		raw->sendRaw(RawWs::frame(8, closePayload(1000, std::string(123, 'r'))));
		CPPUNIT_ASSERT_EQUAL(1000, raw->waitForClose());
	}

	void testCloseWithoutCode()
	{
		// An empty close is answered with a close that carries no code (or 1000).
		auto raw = open();
		raw->sendRaw(RawWs::frame(8, ""));
		auto frame = nextControl(*raw);
		CPPUNIT_ASSERT_EQUAL(8, frame.opcode);
		CPPUNIT_ASSERT(frame.payload.empty() || frame.closeCode() == 1000);
		CPPUNIT_ASSERT_EQUAL(-1, raw->receive(5000).opcode);
	}

	void testInvalidCloseCodes()
	{
		// Autobahn 7.9.x: codes that must never be on the wire, and unassigned ones.
		for (int code: {0, 999, 1004, 1005, 1006, 1012, 1013, 1014, 1015, 1016, 1100, 2000, 2999, 5000, 65535})
			expectClose(RawWs::frame(8, closePayload(code)), 1002, "close code " + std::to_string(code));
	}

	void testBadClosePayloads()
	{
		expectClose(RawWs::frame(8, "\x03"), 1002, "1-byte close payload");
		expectClose(RawWs::frame(8, closePayload(1000, "\xce\xba\xe1\xbd\xb9\xed\xa0\x80")), 1007, "close reason not UTF-8");
	}

	void testNothingAfterClose()
	{
		// A chatmsg behind the client's close is not processed.
		auto raw = open();
		raw->sendRaw(RawWs::frame(8, closePayload(1000)) + RawWs::frame(1, chatmsg("too late", "late1")));
		CPPUNIT_ASSERT_EQUAL(1000, raw->waitForClose());
		CPPUNIT_ASSERT_EQUAL(-1, raw->receive(5000).opcode);
		// bob's history has no "too late".
		HttpClient http(server().httpPort());
		http.setBearer(bob().token);
		HttpReply reply = http.get("/messages/from/" + std::to_string(alice().id));
		CPPUNIT_ASSERT_EQUAL(200, reply.status);
		CPPUNIT_ASSERT(reply.body.find("too late") == std::string::npos);
	}

	void testReservedBits()
	{
		// Each RSV bit (no extension is negotiated), on data and control frames,
		// and on a continuation frame.
		for (int bit: {0x40, 0x20, 0x10, 0x70})
		{
			for (int opcode: {1, 9})
			{
				std::string frame = RawWs::frame(opcode, opcode == 1 ? "{}" : "p");
				frame[0] = static_cast<char>(frame[0] | bit);
				expectClose(frame, 1002, "RSV " + std::to_string(bit) + " on opcode " + std::to_string(opcode));
			}
		}
		std::string continuation = RawWs::frame(0, "x\"}");
		continuation[0] = static_cast<char>(continuation[0] | 0x20);
		expectClose(RawWs::frame(1, "{\"a\":\"", false) + continuation, 1002, "RSV2 on a continuation");
	}

	void testReservedOpcodes()
	{
		for (int opcode: {4, 5, 6, 7, 11, 12, 13, 14, 15})
		{
			expectClose(RawWs::frame(opcode, ""), 1002, "opcode " + std::to_string(opcode));
			expectClose(RawWs::frame(opcode, "payload"), 1002, "opcode " + std::to_string(opcode) + " with payload");
		}
		// Inside a fragmented message too.
		expectClose(RawWs::frame(1, "{", false) + RawWs::frame(11, ""), 1002, "opcode 11 between fragments");
	}

	void testUnmaskedControlFrames()
	{
		expectClose(RawWs::frame(9, "ping", true, false), 1002, "unmasked ping");
		expectClose(RawWs::frame(10, "pong", true, false), 1002, "unmasked pong");
		expectClose(RawWs::frame(8, closePayload(1000), true, false), 1002, "unmasked close");
		expectClose(RawWs::frame(1, "{", false) + RawWs::frame(0, "}", true, false), 1002, "unmasked continuation");
	}

	void testOversizeControlFrames()
	{
		expectClose(RawWs::frame(10, std::string(126, 'p')), 1002, "126-byte pong");
		expectClose(RawWs::frame(8, closePayload(1000, std::string(124, 'r'))), 1002, "126-byte close");
		expectClose(RawWs::frame(9, std::string(70000, 'p')), 1002, "64-bit length ping");
		// Fragmented control frames (FIN clear) of each kind.
		expectClose(RawWs::frame(10, "p", false), 1002, "fragmented pong");
		expectClose(RawWs::frame(8, closePayload(1000), false), 1002, "fragmented close");
	}

	void testFragmentationErrors()
	{
		// A new text frame while a message is half received.
		expectClose(RawWs::frame(1, "{", false) + RawWs::frame(1, "{}"), 1002, "text inside a fragmented message");
		// A continuation after a complete message.
		expectClose(RawWs::frame(1, "{}") + RawWs::frame(0, "{}"), 1002, "continuation after a final frame");
		// A fragmented binary message is refused like a whole one.
		expectClose(RawWs::frame(2, "\x01", false) + RawWs::frame(0, "\x02"), 1003, "fragmented binary");
	}

	void testHugeDeclaredLength()
	{
		// A 64-bit length with the top bit set, and one of 2^40: refused from
		// the header alone, without waiting for (or buffering) the payload.
		std::string header = "\x81\xff";
		std::string top = header + std::string("\x80\x00\x00\x00\x00\x00\x00\x01", 8) + "\x01\x02\x03\x04";
		expectClose(top, 1002, "length with the top bit");
		std::string big = header + std::string("\x00\x00\x01\x00\x00\x00\x00\x00", 8) + "\x01\x02\x03\x04";
		expectClose(big, 1009, "2^40-byte message");
		// And the connections that behaved are still served.
		auto raw = open();
		raw->sendText(chatmsg("still here", "h1"));
		untilAck(*raw, "h1");
	}

	void testFailedConnectionIsDropped()
	{
		// After failing a connection the server drops it within close_timeout
		// (3 s here), whatever the client does next: here it keeps sending.
		auto raw = open();
		raw->sendRaw(RawWs::frame(3, ""));
		CPPUNIT_ASSERT_EQUAL(1002, raw->waitForClose());
		const Poco::Timestamp started;
		raw->sendRaw(RawWs::frame(8, closePayload(1000)) + RawWs::frame(1, chatmsg("ignored", "x1")));
		CPPUNIT_ASSERT_EQUAL(-1, raw->receive(8000).opcode);
		CPPUNIT_ASSERT(started.elapsed() < 6000000);
	}

	void testSilentAndTrickledUpgradesAreDropped()
	{
		// On the ws port: connections that never send, and upgrade requests
		// trickled a byte every 200 ms, are dropped at handshake_timeout (2 s
		// here); a real client is served meanwhile.
		std::vector<Poco::Net::StreamSocket> silent;
		for (int i = 0; i < 50; ++i) silent.emplace_back(Poco::Net::SocketAddress("127.0.0.1", server().wsPort()));
		std::vector<Poco::Net::StreamSocket> tricklers;
		for (int i = 0; i < 5; ++i) tricklers.emplace_back(Poco::Net::SocketAddress("127.0.0.1", server().wsPort()));
		const Poco::Timestamp started;
		auto client = open();
		client->sendText(chatmsg("meanwhile", "m1"));
		untilAck(*client, "m1");
		const std::string head = "GET /?token=x HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n";
		std::vector<bool> ended(tricklers.size(), false);
		for (std::size_t offset = 0; offset < head.size() && started.elapsed() < 6000000; ++offset)
		{
			for (std::size_t i = 0; i < tricklers.size(); ++i)
			{
				if (ended[i]) continue;
				try
				{
					tricklers[i].sendBytes(head.data() + offset, 1);
					char byte;
					if (tricklers[i].poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ) && tricklers[i].receiveBytes(&byte, 1) <= 0) ended[i] = true;
				}
				catch (Poco::Exception&)
				{
					ended[i] = true;
				}
			}
			if (std::find(ended.begin(), ended.end(), false) == ended.end()) break;
			Poco::Thread::sleep(200);
		}
		for (bool e: ended) CPPUNIT_ASSERT_MESSAGE("a trickled upgrade was never dropped", e);
		for (auto& socket: silent)
		{
			char byte;
			int n = 1;
			try
			{
				if (socket.poll(Poco::Timespan(5, 0), Poco::Net::Socket::SELECT_READ)) n = socket.receiveBytes(&byte, 1);
			}
			catch (Poco::Exception&)
			{
				n = 0;
			}
			CPPUNIT_ASSERT_MESSAGE("a silent connection stayed open", n <= 0);
		}
		CPPUNIT_ASSERT(started.elapsed() < 8000000);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(WsConformanceTest);
