// The WebSocket frames of PROTOCOL.md against the real palaverd.
#include "WsTestSupport.h"
#include <Poco/JSON/Parser.h>
#include <Poco/Thread.h>
#include <cppunit/extensions/HelperMacros.h>

using namespace Palaver::Testing;

namespace {

TestServer& server()
{
	// One palaverd for the whole suite; each test uses users of its own.
	static std::unique_ptr<TestServer> instance = startWsServer({
		"--ws.auth_timeout=1", "--ws.replay_max=5", "--ws.rate_limit=20", "--ws.rate_burst=20", "--auth.ws_ticket_ttl=2"});
	return *instance;
}

Poco::Net::NameValueCollection headers(const std::string& name, const std::string& value)
{
	Poco::Net::NameValueCollection collection;
	collection.set(name, value);
	return collection;
}

/// A WebSocket ticket (POST /ws/ticket) for account's session.
std::string ticketFor(const Account& account)
{
	HttpClient http(server().httpPort());
	http.setBearer(account.token);
	HttpReply reply = http.request("POST", "/ws/ticket");
	CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 200, reply.status);
	const std::string ticket = reply.json()->getValue<std::string>("ticket");
	CPPUNIT_ASSERT(ticket.size() >= 32);  // at least 128 bits, in hex
	return ticket;
}

/// Expects the handshake to be refused with status.
void assertRefused(Poco::UInt16 port, const std::string& target, const std::string& extraHeaders, int status)
{
	RawWs raw(port);
	CPPUNIT_ASSERT_EQUAL(status, raw.handshake(target, extraHeaders));
}

} // namespace

class WsProtocolTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(WsProtocolTest);
	CPPUNIT_TEST(testTokenOnWsPort);
	CPPUNIT_TEST(testRouteOnHttpPort);
	CPPUNIT_TEST(testCookie);
	CPPUNIT_TEST(testAuthFrame);
	CPPUNIT_TEST(testNoAuthClosedAfterTimeout);
	CPPUNIT_TEST(testBadToken);
	CPPUNIT_TEST(testStaleCookieThenAuthFrame);
	CPPUNIT_TEST(testTicketWorksOnce);
	CPPUNIT_TEST(testTicketExpires);
	CPPUNIT_TEST(testTicketEndsWithSession);
	CPPUNIT_TEST(testTicketRouteNeedsSession);
	CPPUNIT_TEST(testForeignOrigin);
	CPPUNIT_TEST(testNotAWebSocket);
	CPPUNIT_TEST(testChatmsgFanOut);
	CPPUNIT_TEST(testHttpPostIsPushed);
	CPPUNIT_TEST(testChatmsgErrors);
	CPPUNIT_TEST(testUsermsg);
	CPPUNIT_TEST(testChatDataSpoof);
	CPPUNIT_TEST(testTyping);
	CPPUNIT_TEST(testReceiptClamped);
	CPPUNIT_TEST(testMalformedFramesKeepConnection);
	CPPUNIT_TEST(testPresence);
	CPPUNIT_TEST(testReplaySince);
	CPPUNIT_TEST(testReplayIncomplete);
	CPPUNIT_TEST(testRateLimit);
	CPPUNIT_TEST(testCloseHandshakeEchoesCode);
	CPPUNIT_TEST(testMetrics);
	CPPUNIT_TEST(testWithoutMessages);
	CPPUNIT_TEST_SUITE_END();

public:
	void testTokenOnWsPort()
	{
		Account a = registerAccount(server(), "tok");
		WsClient client(server().wsPort(), "/?token=" + HttpClient::encode(a.token));
		auto ready = client.receiveJson();
		CPPUNIT_ASSERT_EQUAL(std::string("ready"), ready->getValue<std::string>("type"));
		CPPUNIT_ASSERT_EQUAL(a.id, ready->getValue<Poco::Int64>("userId"));
		// Then the presence list, which includes the user itself.
		bool self = false;
		for (int i = 0; i < 1000 && !self; ++i)
		{
			auto presence = client.receiveType("presence", 2000);
			self = presence->getValue<Poco::Int64>("userId") == a.id && presence->getValue<bool>("online");
		}
		CPPUNIT_ASSERT(self);
	}

	void testRouteOnHttpPort()
	{
		Account a = registerAccount(server(), "route");
		WsClient client(server().httpPort(), "/ws?token=" + HttpClient::encode(a.token));
		auto ready = client.receiveType("ready");
		CPPUNIT_ASSERT_EQUAL(a.id, ready->getValue<Poco::Int64>("userId"));
		// It carries frames both ways like the ws port.
		Account b = registerAccount(server(), "route");
		Poco::JSON::Object frame;
		frame.set("type", "chatmsg");
		frame.set("toUserId", b.id);
		frame.set("text", "over the HTTP port");
		frame.set("clientMsgId", "h1");
		client.sendJson(frame);
		auto ack = client.receiveType("ack");
		CPPUNIT_ASSERT_EQUAL(std::string("h1"), ack->getValue<std::string>("clientMsgId"));
		// And the HTTP port still answers plain requests afterwards.
		HttpClient http(server().httpPort());
		CPPUNIT_ASSERT_EQUAL(200, http.get("/health").status);
		// A plain GET /ws is refused with a JSON error.
		HttpReply reply = http.get("/ws");
		CPPUNIT_ASSERT_EQUAL(426, reply.status);
		CPPUNIT_ASSERT_EQUAL(std::string("upgrade_required"), reply.errorCode());
	}

	void testCookie()
	{
		Account a = registerAccount(server(), "cookie");
		WsClient client(server().wsPort(), "/", headers("Cookie", "theme=dark; palaver_session=" + a.token));
		CPPUNIT_ASSERT_EQUAL(a.id, client.receiveType("ready")->getValue<Poco::Int64>("userId"));
		WsClient viaHttp(server().httpPort(), "/ws", headers("Cookie", "palaver_session=" + a.token));
		CPPUNIT_ASSERT_EQUAL(a.id, viaHttp.receiveType("ready")->getValue<Poco::Int64>("userId"));
	}

	void testAuthFrame()
	{
		Account a = registerAccount(server(), "frame");
		WsClient client(server().wsPort(), "/");
		Poco::JSON::Object auth;
		auth.set("type", "auth");
		auth.set("token", a.token);
		client.sendJson(auth);
		CPPUNIT_ASSERT_EQUAL(a.id, client.receiveType("ready")->getValue<Poco::Int64>("userId"));
	}

	void testNoAuthClosedAfterTimeout()
	{
		WsClient client(server().wsPort(), "/");
		// A frame before authentication is answered, not obeyed.
		client.sendText("{\"type\":\"typing\",\"toUserId\":1}");
		CPPUNIT_ASSERT_EQUAL(std::string("unauthorized"), client.receiveType("error")->getValue<std::string>("code"));
		const Poco::Timestamp started;
		CPPUNIT_ASSERT_EQUAL(1008, client.waitForClose(5000));
		CPPUNIT_ASSERT(started.elapsed() >= 500000);  // the configured 1 s, not at once
	}

	void testBadToken()
	{
		WsClient query(server().wsPort(), "/?token=nosuchtoken");
		CPPUNIT_ASSERT_EQUAL(1008, query.waitForClose(3000));
		WsClient frame(server().wsPort(), "/");
		frame.sendText("{\"type\":\"auth\",\"token\":\"nosuchtoken\"}");
		CPPUNIT_ASSERT_EQUAL(1008, frame.waitForClose(3000));
	}

	void testStaleCookieThenAuthFrame()
	{
		// An invalid cookie is not fatal: the client may still send an auth frame.
		Account a = registerAccount(server(), "stale");
		WsClient client(server().wsPort(), "/", headers("Cookie", "palaver_session=expired"));
		client.sendText("{\"type\":\"auth\",\"token\":\"" + a.token + "\"}");
		CPPUNIT_ASSERT_EQUAL(a.id, client.receiveType("ready")->getValue<Poco::Int64>("userId"));
	}

	void testTicketWorksOnce()
	{
		Account a = registerAccount(server(), "ticket");
		const std::string ticket = ticketFor(a);
		{
			WsClient client(server().wsPort(), "/?ticket=" + ticket);
			CPPUNIT_ASSERT_EQUAL(a.id, client.receiveType("ready")->getValue<Poco::Int64>("userId"));
		}
		// Used once: the second use is refused as an invalid token is.
		WsClient again(server().wsPort(), "/?ticket=" + ticket);
		CPPUNIT_ASSERT_EQUAL(1008, again.waitForClose(3000));
		// The HTTP port's /ws takes tickets too; two tickets are two uses.
		WsClient viaHttp(server().httpPort(), "/ws?ticket=" + ticketFor(a));
		CPPUNIT_ASSERT_EQUAL(a.id, viaHttp.receiveType("ready")->getValue<Poco::Int64>("userId"));
		WsClient unknown(server().wsPort(), "/?ticket=0123456789abcdef0123456789abcdef");
		CPPUNIT_ASSERT_EQUAL(1008, unknown.waitForClose(3000));
	}

	void testTicketExpires()
	{
		// The suite's ws_ticket_ttl is 2 s.
		Account a = registerAccount(server(), "tickexp");
		const std::string ticket = ticketFor(a);
		Poco::Thread::sleep(2500);
		WsClient client(server().wsPort(), "/?ticket=" + ticket);
		CPPUNIT_ASSERT_EQUAL(1008, client.waitForClose(3000));
	}

	void testTicketEndsWithSession()
	{
		Account a = registerAccount(server(), "ticklog");
		const std::string ticket = ticketFor(a);
		HttpClient http(server().httpPort());
		http.setBearer(a.token);
		CPPUNIT_ASSERT_EQUAL(204, http.request("POST", "/logout").status);
		WsClient client(server().wsPort(), "/?ticket=" + ticket);
		CPPUNIT_ASSERT_EQUAL(1008, client.waitForClose(3000));
	}

	void testTicketRouteNeedsSession()
	{
		HttpClient anonymous(server().httpPort());
		CPPUNIT_ASSERT_EQUAL(401, anonymous.request("POST", "/ws/ticket").status);
		// By cookie it is an unsafe route like the others: a foreign Origin is refused.
		Account a = registerAccount(server(), "tickcsrf");
		HttpClient browser(server().httpPort());
		browser.setCookie("palaver_session=" + a.token);
		HttpReply foreign = browser.request("POST", "/ws/ticket", "", "", headers("Origin", "http://evil.example"));
		CPPUNIT_ASSERT_EQUAL(403, foreign.status);
		CPPUNIT_ASSERT_EQUAL(std::string("forbidden"), foreign.errorCode());
		HttpReply own = browser.request("POST", "/ws/ticket");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(own.body, 200, own.status);
		CPPUNIT_ASSERT_EQUAL(std::string("no-store"), own.headers.get("Cache-Control", ""));
		// A session keeps at most 8 unused tickets at a time.
		int refused = 0;
		for (int i = 0; i < 10; ++i)
			if (browser.request("POST", "/ws/ticket").status == 429) ++refused;
		CPPUNIT_ASSERT_EQUAL(3, refused);
	}

	void testForeignOrigin()
	{
		Account a = registerAccount(server(), "origin");
		const std::string target = "/?token=" + HttpClient::encode(a.token);
		assertRefused(server().wsPort(), target, "Origin: http://evil.example\r\n", 403);
		assertRefused(server().httpPort(), "/ws" + target.substr(1), "Origin: http://evil.example\r\n", 403);
		// The server's own origin is fine.
		RawWs own(server().wsPort());
		CPPUNIT_ASSERT_EQUAL(101, own.handshake(target, ""));
	}

	void testNotAWebSocket()
	{
		HttpClient http(server().wsPort());
		HttpReply reply = http.get("/");
		CPPUNIT_ASSERT_EQUAL(426, reply.status);
		CPPUNIT_ASSERT_EQUAL(std::string("upgrade_required"), reply.errorCode());
		// A head that never ends is cut at 8 KiB.
		RawWs raw(server().wsPort());
		raw.sendRaw("GET / HTTP/1.1\r\nX-Pad: " + std::string(9000, 'a') + "\r\n\r\n");
		CPPUNIT_ASSERT_EQUAL(431, raw.readStatus());
	}

	void testChatmsgFanOut()
	{
		Account a = registerAccount(server(), "fana");
		Account b = registerAccount(server(), "fanb");
		Account c = registerAccount(server(), "fanc");
		auto a1 = connectAs(server(), a);
		auto a2 = connectAs(server(), a);
		auto b1 = connectAs(server(), b);
		auto c1 = connectAs(server(), c);

		a1->sendText("{\"type\":\"chatmsg\",\"toUserId\":" + std::to_string(b.id) + ",\"text\":\"hola\",\"clientMsgId\":\"a1\"}");
		// The ack and the chatmsg reach the sender in either order.
		Poco::JSON::Object::Ptr ack;
		Poco::JSON::Object::Ptr own;
		while (!ack || !own)
		{
			auto frame = a1->receiveJson();
			const std::string type = frame->getValue<std::string>("type");
			if (type == "ack") ack = frame;
			if (type == "chatmsg") own = frame;
		}
		CPPUNIT_ASSERT_EQUAL(std::string("a1"), ack->getValue<std::string>("clientMsgId"));
		const Poco::Int64 id = ack->getValue<Poco::Int64>("id");
		CPPUNIT_ASSERT(id > 0);
		CPPUNIT_ASSERT_EQUAL(id, own->getValue<Poco::Int64>("id"));
		for (WsClient* client: {a2.get(), b1.get()})
		{
			auto message = client->receiveType("chatmsg");
			CPPUNIT_ASSERT_EQUAL(id, message->getValue<Poco::Int64>("id"));
			CPPUNIT_ASSERT_EQUAL(a.id, message->getValue<Poco::Int64>("fromUserId"));
			CPPUNIT_ASSERT_EQUAL(b.id, message->getValue<Poco::Int64>("toUserId"));
			CPPUNIT_ASSERT_EQUAL(std::string("hola"), message->getValue<std::string>("text"));
			CPPUNIT_ASSERT_EQUAL(a.name, message->getValue<std::string>("fromUserName"));
			CPPUNIT_ASSERT(message->getObject("timestamp")->has("date"));
		}
		// The ack went to the sending connection only.
		CPPUNIT_ASSERT(skipUntilSilent(*a2, "ack"));
		// A third user sees nothing of a conversation that is not theirs.
		CPPUNIT_ASSERT(skipUntilSilent(*c1, "chatmsg"));
		// Stored as HTTP would: the history has it.
		HttpClient http(server().httpPort());
		http.setBearer(b.token);
		HttpReply history = http.get("/messages/from/" + std::to_string(a.id));
		CPPUNIT_ASSERT_EQUAL(200, history.status);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), history.jsonArray()->size());
	}

	/// True when no frame of type arrives within 500 ms (other frames skipped).
	static bool skipUntilSilent(WsClient& client, const std::string& type)
	{
		try
		{
			client.receiveType(type, 500);
			return false;
		}
		catch (Poco::TimeoutException&)
		{
			return true;
		}
	}

	void testHttpPostIsPushed()
	{
		Account a = registerAccount(server(), "httpa");
		Account b = registerAccount(server(), "httpb");
		auto b1 = connectAs(server(), b);
		auto a1 = connectAs(server(), a);
		const Poco::Int64 id = postMessage(server(), a, b.id, "por HTTP");
		for (WsClient* client: {a1.get(), b1.get()})
		{
			auto message = client->receiveType("chatmsg");
			CPPUNIT_ASSERT_EQUAL(id, message->getValue<Poco::Int64>("id"));
			CPPUNIT_ASSERT_EQUAL(std::string("por HTTP"), message->getValue<std::string>("text"));
		}
	}

	void testChatmsgErrors()
	{
		Account a = registerAccount(server(), "erra");
		auto a1 = connectAs(server(), a);
		a1->sendText("{\"type\":\"chatmsg\",\"toUserId\":999999,\"text\":\"hola\",\"clientMsgId\":\"x1\"}");
		auto error = a1->receiveType("error");
		CPPUNIT_ASSERT_EQUAL(std::string("not_found"), error->getValue<std::string>("code"));
		CPPUNIT_ASSERT_EQUAL(std::string("x1"), error->getValue<std::string>("clientMsgId"));
		Account b = registerAccount(server(), "errb");
		a1->sendText("{\"type\":\"chatmsg\",\"toUserId\":" + std::to_string(b.id) + ",\"text\":\"\",\"clientMsgId\":\"x2\"}");
		error = a1->receiveType("error");
		CPPUNIT_ASSERT_EQUAL(std::string("validation_failed"), error->getValue<std::string>("code"));
		CPPUNIT_ASSERT_EQUAL(std::string("x2"), error->getValue<std::string>("clientMsgId"));
		a1->sendText("{\"type\":\"chatmsg\",\"toUserId\":\"abc\",\"text\":\"hola\"}");
		CPPUNIT_ASSERT_EQUAL(std::string("validation_failed"), a1->receiveType("error")->getValue<std::string>("code"));
		// A text of the wrong type is refused, never turned into text.
		for (const std::string& text: {std::string("true"), std::string("12345"), std::string("{\"a\":\"b\"}")})
		{
			a1->sendText("{\"type\":\"chatmsg\",\"toUserId\":" + std::to_string(b.id) + ",\"text\":" + text + ",\"clientMsgId\":\"x3\"}");
			error = a1->receiveType("error");
			CPPUNIT_ASSERT_EQUAL(std::string("validation_failed"), error->getValue<std::string>("code"));
			CPPUNIT_ASSERT_EQUAL(std::string("text"), error->getValue<std::string>("field"));
			CPPUNIT_ASSERT_EQUAL(std::string("x3"), error->getValue<std::string>("clientMsgId"));
		}
		// The strict parser's refusals: a repeated key, an integer beyond 64 bits.
		for (const std::string& frame: {std::string("{\"type\":\"chatmsg\",\"type\":\"typing\",\"toUserId\":") + std::to_string(b.id) + "}",
			std::string("{\"type\":\"chatmsg\",\"toUserId\":99999999999999999999,\"text\":\"hola\"}")})
		{
			a1->sendText(frame);
			error = a1->receiveType("error");
			CPPUNIT_ASSERT_EQUAL(std::string("bad_request"), error->getValue<std::string>("code"));
		}
		CPPUNIT_ASSERT(skipUntilSilent(*a1, "chatmsg"));
	}

	void testUsermsg()
	{
		Account a = registerAccount(server(), "watch");
		auto a1 = connectAs(server(), a);
		Account fresh = registerAccount(server(), "newcomer");
		for (int i = 0; i < 100; ++i)
		{
			auto frame = a1->receiveType("usermsg");
			if (frame->getValue<Poco::Int64>("id") != fresh.id) continue;
			CPPUNIT_ASSERT_EQUAL(fresh.name, frame->getValue<std::string>("userName"));
			CPPUNIT_ASSERT(frame->has("info"));
			CPPUNIT_ASSERT(frame->has("image"));
			return;
		}
		CPPUNIT_FAIL("no usermsg for the new user");
	}

	void testChatDataSpoof()
	{
		Account a = registerAccount(server(), "spoofa");
		Account b = registerAccount(server(), "spoofb");
		auto a1 = connectAs(server(), a);
		a1->sendText("{\"type\":\"chatData\",\"fromUserId\":" + std::to_string(b.id) + ",\"toUserId\":" + std::to_string(a.id) + "}");
		auto error = a1->receiveType("error");
		CPPUNIT_ASSERT_EQUAL(std::string("forbidden"), error->getValue<std::string>("code"));
		// Naming oneself is a no-op: no error.
		a1->sendText("{\"type\":\"chatData\",\"fromUserId\":" + std::to_string(a.id) + ",\"toUserId\":" + std::to_string(b.id) + "}");
		CPPUNIT_ASSERT(skipUntilSilent(*a1, "error"));
	}

	void testTyping()
	{
		Account a = registerAccount(server(), "typa");
		Account b = registerAccount(server(), "typb");
		Account c = registerAccount(server(), "typc");
		auto a1 = connectAs(server(), a);
		auto b1 = connectAs(server(), b);
		auto c1 = connectAs(server(), c);
		a1->sendText("{\"type\":\"typing\",\"toUserId\":" + std::to_string(b.id) + "}");
		auto typing = b1->receiveType("typing");
		CPPUNIT_ASSERT_EQUAL(a.id, typing->getValue<Poco::Int64>("fromUserId"));
		CPPUNIT_ASSERT_EQUAL(b.id, typing->getValue<Poco::Int64>("toUserId"));

		CPPUNIT_ASSERT(skipUntilSilent(*c1, "typing"));
		CPPUNIT_ASSERT(skipUntilSilent(*a1, "typing"));
	}

	void testReceiptClamped()
	{
		Account a = registerAccount(server(), "rcpa");
		Account b = registerAccount(server(), "rcpb");
		Account c = registerAccount(server(), "rcpc");
		auto a1 = connectAs(server(), a);
		auto b1 = connectAs(server(), b);
		const std::string readFromA = "{\"type\":\"read\",\"fromUserId\":" + std::to_string(a.id) + ",\"upToId\":";
		// No messages between a and b yet: nothing has been read, no receipt.
		b1->sendText(readFromA + "41}");
		CPPUNIT_ASSERT(skipUntilSilent(*a1, "receipt"));

		const Poco::Int64 first = postMessage(server(), a, b.id, "one");
		const Poco::Int64 last = postMessage(server(), b, a.id, "two");
		postMessage(server(), a, c.id, "elsewhere");  // a higher id in another conversation
		// An id inside the conversation is kept as sent.
		b1->sendText(readFromA + std::to_string(first) + "}");
		auto receipt = a1->receiveType("receipt");
		CPPUNIT_ASSERT_EQUAL(b.id, receipt->getValue<Poco::Int64>("readerId"));
		CPPUNIT_ASSERT_EQUAL(first, receipt->getValue<Poco::Int64>("upToId"));
		b1->sendText(readFromA + "999999999999999999}");
		receipt = a1->receiveType("receipt");
		CPPUNIT_ASSERT_EQUAL(a.id, receipt->getValue<Poco::Int64>("fromUserId"));
		CPPUNIT_ASSERT_EQUAL(last, receipt->getValue<Poco::Int64>("upToId"));
		// The cursor is stored (PROTOCOL.md Part 2): a read at or below it sends nothing.
		b1->sendText(readFromA + std::to_string(first) + "}");
		CPPUNIT_ASSERT(skipUntilSilent(*a1, "receipt"));
	}

	void testMalformedFramesKeepConnection()
	{
		Account a = registerAccount(server(), "bad");
		auto a1 = connectAs(server(), a);
		for (const std::string& text: {std::string("not json"), std::string("[1,2]"), std::string("{\"type\":\"dance\"}"), std::string("{\"no\":\"type\"}"),
			std::string(20000, '[') + std::string(20000, ']')})
		{
			a1->sendText(text);
			CPPUNIT_ASSERT_EQUAL(std::string("bad_request"), a1->receiveType("error")->getValue<std::string>("code"));
		}
		a1->sendText("{\"type\":\"typing\",\"toUserId\":" + std::to_string(a.id) + "}");
		CPPUNIT_ASSERT_EQUAL(a.id, a1->receiveType("typing")->getValue<Poco::Int64>("fromUserId"));
	}

	void testPresence()
	{
		Account a = registerAccount(server(), "presa");
		Account b = registerAccount(server(), "presb");
		// Presence goes to those who share a chat (WsPresenceTest has the rest).
		postMessage(server(), a, b.id, "hi");
		auto a1 = connectAs(server(), a);
		auto b1 = connectAs(server(), b);
		CPPUNIT_ASSERT(waitPresence(*a1, b.id, true));
		auto b2 = connectAs(server(), b);  // not the first: no new presence
		b1->close();
		b1.reset();
		CPPUNIT_ASSERT(!waitPresence(*a1, b.id, false, 700));
		b2->close();
		b2.reset();
		CPPUNIT_ASSERT(waitPresence(*a1, b.id, false));
	}

	void testReplaySince()
	{
		Account a = registerAccount(server(), "repa");
		Account b = registerAccount(server(), "repb");
		auto b1 = connectAs(server(), b);
		const Poco::Int64 seen = postMessage(server(), a, b.id, "seen");
		CPPUNIT_ASSERT_EQUAL(seen, b1->receiveType("chatmsg")->getValue<Poco::Int64>("id"));
		b1->close();
		b1.reset();
		// b is away while three messages arrive (one sent by b from elsewhere).
		std::vector<Poco::Int64> missed = {postMessage(server(), a, b.id, "m1"), postMessage(server(), b, a.id, "m2"), postMessage(server(), a, b.id, "m3")};
		// A message between others is none of b's business.
		Account c = registerAccount(server(), "repc");
		postMessage(server(), a, c.id, "not for b");
		b1 = connectAs(server(), b, "&since=" + std::to_string(seen));
		for (Poco::Int64 id: missed)
			CPPUNIT_ASSERT_EQUAL(id, b1->receiveType("chatmsg")->getValue<Poco::Int64>("id"));
		auto replayed = b1->receiveType("replayed");
		CPPUNIT_ASSERT_EQUAL(3, replayed->getValue<int>("count"));
		CPPUNIT_ASSERT(replayed->getValue<bool>("complete"));
		// Live delivery continues, nothing twice.
		const Poco::Int64 live = postMessage(server(), a, b.id, "live");
		CPPUNIT_ASSERT_EQUAL(live, b1->receiveType("chatmsg")->getValue<Poco::Int64>("id"));
		CPPUNIT_ASSERT(skipUntilSilent(*b1, "chatmsg"));
	}

	void testReplayIncomplete()
	{
		Account a = registerAccount(server(), "inca");
		Account b = registerAccount(server(), "incb");
		std::vector<Poco::Int64> ids;
		for (int i = 0; i < 7; ++i) ids.push_back(postMessage(server(), a, b.id, "n" + std::to_string(i)));
		auto b1 = connectAs(server(), b, "&since=0");
		for (int i = 0; i < 5; ++i)
			CPPUNIT_ASSERT_EQUAL(ids[i], b1->receiveType("chatmsg")->getValue<Poco::Int64>("id"));  // oldest first
		auto replayed = b1->receiveJson();
		CPPUNIT_ASSERT_EQUAL(std::string("replayed"), replayed->getValue<std::string>("type"));
		CPPUNIT_ASSERT_EQUAL(5, replayed->getValue<int>("count"));
		CPPUNIT_ASSERT(!replayed->getValue<bool>("complete"));
	}

	void testRateLimit()
	{
		Account a = registerAccount(server(), "rate");
		auto a1 = connectAs(server(), a);
		const std::string typing = "{\"type\":\"typing\",\"toUserId\":999999}";
		for (int i = 0; i < 60; ++i) a1->sendText(typing);
		auto error = a1->receiveType("error");
		CPPUNIT_ASSERT_EQUAL(std::string("rate_limited"), error->getValue<std::string>("code"));
		// The connection stays; after a pause frames are handled again.
		Poco::Thread::sleep(300);
		while (!a1->silentFor(200)) {}
		a1->sendText("{\"type\":\"typing\",\"toUserId\":" + std::to_string(a.id) + "}");
		CPPUNIT_ASSERT_EQUAL(a.id, a1->receiveType("typing")->getValue<Poco::Int64>("fromUserId"));
	}

	void testCloseHandshakeEchoesCode()
	{
		Account a = registerAccount(server(), "close");
		RawWs raw(server().wsPort());
		CPPUNIT_ASSERT_EQUAL(101, raw.handshake("/?token=" + HttpClient::encode(a.token)));
		CPPUNIT_ASSERT(raw.head().find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") != std::string::npos);
		std::string payload = "\x0f\xa1";  // 4001
		payload += "bye";
		raw.sendRaw(RawWs::frame(8, payload));
		// The echo carries the code and the reason (RFC 6455 5.5.1).
		RawWs::Frame echo;
		for (int i = 0; i < 10 && echo.opcode != 8; ++i)
		{
			echo = raw.receive(3000);
			if (echo.opcode == -1) break;
		}
		CPPUNIT_ASSERT_EQUAL(8, echo.opcode);
		CPPUNIT_ASSERT_EQUAL(4001, echo.closeCode());
		CPPUNIT_ASSERT_EQUAL(std::string("bye"), echo.payload.substr(2));
		CPPUNIT_ASSERT_EQUAL(-1, raw.receive(3000).opcode);  // then the server hangs up
	}

	void testMetrics()
	{
		Account a = registerAccount(server(), "metric");
		auto a1 = connectAs(server(), a);
		HttpClient http(server().httpPort());
		HttpReply reply = http.get("/metrics");
		CPPUNIT_ASSERT_EQUAL(200, reply.status);
		for (const char* name: {"palaver_ws_connections", "palaver_ws_frames_in_total", "palaver_ws_frames_out_total"})
			CPPUNIT_ASSERT_MESSAGE(name, reply.body.find(name) != std::string::npos);
		const std::size_t pos = reply.body.find("\npalaver_ws_connections ");
		CPPUNIT_ASSERT(pos != std::string::npos);
		CPPUNIT_ASSERT(std::stoi(reply.body.substr(pos + 24)) >= 1);
	}

	void testWithoutMessages()
	{
		// A palaverd without the messages plugin: chatmsg frames are answered
		// unavailable, a replay is empty and incomplete, the rest works.
		auto bare = startWsServer({"--messages.enabled=false", "--groups.enabled=false"});
		Account a = registerAccount(*bare, "bare");
		WsClient client(bare->wsPort(), "/?token=" + HttpClient::encode(a.token) + "&since=0");
		CPPUNIT_ASSERT_EQUAL(a.id, client.receiveType("ready")->getValue<Poco::Int64>("userId"));
		auto error = client.receiveType("error");
		CPPUNIT_ASSERT_EQUAL(std::string("unavailable"), error->getValue<std::string>("code"));
		auto replayed = client.receiveType("replayed");
		CPPUNIT_ASSERT_EQUAL(0, replayed->getValue<int>("count"));
		CPPUNIT_ASSERT(!replayed->getValue<bool>("complete"));
		client.sendText("{\"type\":\"chatmsg\",\"toUserId\":" + std::to_string(a.id) + ",\"text\":\"hola\",\"clientMsgId\":\"c\"}");
		error = client.receiveType("error");
		CPPUNIT_ASSERT_EQUAL(std::string("unavailable"), error->getValue<std::string>("code"));
		CPPUNIT_ASSERT_EQUAL(std::string("c"), error->getValue<std::string>("clientMsgId"));
		client.sendText("{\"type\":\"typing\",\"toUserId\":" + std::to_string(a.id) + "}");
		CPPUNIT_ASSERT_EQUAL(a.id, client.receiveType("typing")->getValue<Poco::Int64>("fromUserId"));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(WsProtocolTest);
