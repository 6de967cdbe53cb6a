// The limits of PROTOCOL.md's WebSocket section: each one's close code.
#include "WsTestSupport.h"
#include <Poco/Thread.h>
#include <algorithm>
#include <set>
#include <thread>
#include <cppunit/extensions/HelperMacros.h>

using namespace Palaver::Testing;

namespace {

TestServer& server()
{
	// Small output limits so that a slow reader is caught quickly.
	static std::unique_ptr<TestServer> instance = startWsServer({
		"--ws.max_pending=65536", "--ws.send_buffer=4096", "--ws.close_timeout=5", "--ws.rate_limit=1000", "--ws.rate_burst=1000"});
	return *instance;
}

std::string tokenTarget(const Account& account)
{
	return "/?token=" + HttpClient::encode(account.token);
}

/// A raw connection authenticated as account, past its ready frame.
std::unique_ptr<RawWs> rawAs(TestServer& server, const Account& account, int receiveBuffer = 0)
{
	auto raw = std::make_unique<RawWs>(server.wsPort(), receiveBuffer);
	CPPUNIT_ASSERT_EQUAL(101, raw->handshake(tokenTarget(account)));
	auto first = raw->receive();
	CPPUNIT_ASSERT(first.payload.find("\"ready\"") != std::string::npos);
	return raw;
}

} // namespace

class WsLimitsTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(WsLimitsTest);
	CPPUNIT_TEST(testTooBig);
	CPPUNIT_TEST(testLargestAccepted);
	CPPUNIT_TEST(testBinary);
	CPPUNIT_TEST(testUnmasked);
	CPPUNIT_TEST(testInvalidUtf8);
	CPPUNIT_TEST(testReservedBitsAndControlFrames);
	CPPUNIT_TEST(testFragmentedChatmsg);
	CPPUNIT_TEST(testSlowReader);
	CPPUNIT_TEST(testReplayDuringTraffic);
	CPPUNIT_TEST(testPingTimeout);
	CPPUNIT_TEST(testShutdownSendsGoingAway);
	CPPUNIT_TEST_SUITE_END();

public:
	void testTooBig()
	{
		Account a = registerAccount(server(), "big");
		auto client = connectAs(server(), a);
		client->sendText(std::string(65537, 'x'));
		CPPUNIT_ASSERT_EQUAL(1009, client->waitForClose());
	}

	void testLargestAccepted()
	{
		Account a = registerAccount(server(), "large");
		auto client = connectAs(server(), a);
		// 64 KiB of JSON is accepted (and answered: an unknown type).
		std::string text = "{\"type\":\"x\",\"pad\":\"" + std::string(65536 - 21, 'p') + "\"}";
		CPPUNIT_ASSERT_EQUAL(std::size_t(65536), text.size());
		client->sendText(text);
		CPPUNIT_ASSERT_EQUAL(std::string("bad_request"), client->receiveType("error")->getValue<std::string>("code"));
	}

	void testBinary()
	{
		Account a = registerAccount(server(), "binary");
		auto client = connectAs(server(), a);
		client->sendBinary("\x01\x02\x03");
		CPPUNIT_ASSERT_EQUAL(1003, client->waitForClose());
	}

	void testUnmasked()
	{
		Account a = registerAccount(server(), "unmasked");
		auto raw = rawAs(server(), a);
		raw->sendText("{\"type\":\"typing\",\"toUserId\":1}", false);
		CPPUNIT_ASSERT_EQUAL(1002, raw->waitForClose());
	}

	void testInvalidUtf8()
	{
		Account a = registerAccount(server(), "utf");
		auto client = connectAs(server(), a);
		client->sendText("{\"type\":\"typing\",\"x\":\"\xc3\x28\"}");
		CPPUNIT_ASSERT_EQUAL(1007, client->waitForClose());
	}

	void testReservedBitsAndControlFrames()
	{
		Account a = registerAccount(server(), "rsv");
		std::string rsv = RawWs::frame(1, "{}");
		rsv[0] = static_cast<char>(rsv[0] | 0x40);
		for (const std::string& bad: {rsv, RawWs::frame(9, std::string(126, 'p')), RawWs::frame(9, "p", false), RawWs::frame(0, "stray"), RawWs::frame(3, "op")})
		{
			auto raw = rawAs(server(), a);
			raw->sendRaw(bad);
			CPPUNIT_ASSERT_EQUAL(1002, raw->waitForClose());
		}
	}

	void testFragmentedChatmsg()
	{
		// A message in three fragments with a ping between them, sent byte by byte.
		Account a = registerAccount(server(), "frag");
		Account b = registerAccount(server(), "frag");
		auto raw = rawAs(server(), a);
		const std::string text = "{\"type\":\"chatmsg\",\"toUserId\":" + std::to_string(b.id) + ",\"text\":\"trozos\",\"clientMsgId\":\"f1\"}";
		const std::string bytes = RawWs::frame(1, text.substr(0, 10), false) + RawWs::frame(9, "ping?") +
			RawWs::frame(0, text.substr(10, 20), false) + RawWs::frame(0, text.substr(30), true);
		for (char c: bytes) raw->sendRaw(std::string(1, c));
		bool pong = false;
		bool ack = false;
		for (int i = 0; i < 200 && !(pong && ack); ++i)
		{
			auto frame = raw->receive();
			if (frame.opcode == 10 && frame.payload == "ping?") pong = true;
			if (frame.opcode == 1 && frame.payload.find("\"ack\"") != std::string::npos && frame.payload.find("\"f1\"") != std::string::npos) ack = true;
			CPPUNIT_ASSERT(frame.opcode != 8 && frame.opcode != -1);
		}
		CPPUNIT_ASSERT(pong);
		CPPUNIT_ASSERT(ack);
	}

	void testSlowReader()
	{
		Account slow = registerAccount(server(), "slow");
		Account sender = registerAccount(server(), "sender");
		// The slow one never reads, with a tiny receive buffer.
		auto reader = rawAs(server(), slow, 4096);
		auto watcher = connectAs(server(), sender);
		const std::string text(4000, 'w');
		// 60 x 4 KB is far more than the kernel buffers (8 KiB each way) and
		// max_pending (64 KiB) hold: the server must give up on the reader.
		for (int i = 0; i < 60; ++i)
		{
			postMessage(server(), sender, slow.id, text);
			// The sender's own connection keeps receiving every message at once.
			auto frame = watcher->receiveType("chatmsg", 5000);
			CPPUNIT_ASSERT_EQUAL(slow.id, frame->getValue<Poco::Int64>("toUserId"));
		}
		// Now read what the server managed to send: frames, then 1013.
		CPPUNIT_ASSERT_EQUAL(1013, reader->waitForClose(10000));
	}

	void testReplayDuringTraffic()
	{
		// Messages keep arriving while b reconnects with ?since: each one
		// reaches b exactly once, by replay or live.
		Account a = registerAccount(server(), "busy");
		Account b = registerAccount(server(), "busy");
		const Poco::Int64 since = postMessage(server(), a, b.id, "before");
		std::vector<Poco::Int64> posted;
		std::thread sender([&]
		{
			for (int i = 0; i < 40; ++i) posted.push_back(postMessage(server(), a, b.id, "m" + std::to_string(i)));
		});
		std::vector<std::unique_ptr<WsClient>> clients;
		std::vector<std::set<Poco::Int64>> seen;
		std::string failure;
		// Several reconnects spread over the traffic.
		for (int round = 0; round < 4; ++round)
		{
			Poco::Thread::sleep(20 * round);
			clients.push_back(connectAs(server(), b, "&since=" + std::to_string(since)));
		}
		sender.join();
		for (auto& client: clients)
		{
			std::set<Poco::Int64> ids;
			std::vector<Poco::Int64> order;
			try
			{
				for (;;)
				{
					auto frame = client->receiveJson(1500);
					if (frame->getValue<std::string>("type") != "chatmsg") continue;
					const Poco::Int64 id = frame->getValue<Poco::Int64>("id");
					CPPUNIT_ASSERT_MESSAGE("twice: " + std::to_string(id), ids.insert(id).second);
					order.push_back(id);
				}
			}
			catch (Poco::TimeoutException&)
			{
			}
			CPPUNIT_ASSERT_EQUAL(posted.size(), ids.size());
			CPPUNIT_ASSERT(std::set<Poco::Int64>(posted.begin(), posted.end()) == ids);
			CPPUNIT_ASSERT(std::is_sorted(order.begin(), order.end()));
		}
	}

	void testPingTimeout()
	{
		auto pinging = startWsServer({"--ws.ping_interval=0.5"});
		Account a = registerAccount(*pinging, "ping");
		Account b = registerAccount(*pinging, "pong");
		// A client that answers pings (Poco's, while it reads) stays.
		auto alive = connectAs(*pinging, b);
		auto raw = std::make_unique<RawWs>(pinging->wsPort());
		CPPUNIT_ASSERT_EQUAL(101, raw->handshake(tokenTarget(a)));
		const Poco::Timestamp started;
		int pings = 0;
		int code = 0;
		while (started.elapsed() < 5000000)
		{
			alive->silentFor(10);  // reads, and so answers its pings
			auto frame = raw->receive(5000);
			if (frame.opcode == 9) ++pings;
			if (frame.opcode == 8)
			{
				code = frame.closeCode();
				break;
			}
			CPPUNIT_ASSERT(frame.opcode != -1);
		}
		CPPUNIT_ASSERT_EQUAL(1001, code);
		CPPUNIT_ASSERT_EQUAL(2, pings);
		// Meanwhile the answering client was kept.
		alive->sendText("{\"type\":\"typing\",\"toUserId\":" + std::to_string(b.id) + "}");
		CPPUNIT_ASSERT_EQUAL(b.id, alive->receiveType("typing")->getValue<Poco::Int64>("fromUserId"));
	}

	void testShutdownSendsGoingAway()
	{
		auto stopping = startWsServer();
		Account a = registerAccount(*stopping, "bye");
		auto client = connectAs(*stopping, a);
		std::thread stopper([&] { stopping->stop(); });
		const int code = client->waitForClose(10000);
		stopper.join();
		CPPUNIT_ASSERT_EQUAL(1001, code);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(WsLimitsTest);
