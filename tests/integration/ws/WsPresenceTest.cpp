// Presence at scale (PROTOCOL.md Part 2, "Presence at scale") against the
// real palaverd: [ws] presence_scope = conversations (direct chats, groups
// and their changes, the presence subscribe frame and its limits) and all.
#include "WsTestSupport.h"
#include <cppunit/extensions/HelperMacros.h>

using namespace Palaver::Testing;

namespace {

TestServer& server()
{
	// One palaverd for the suite, with the default scope; each test uses users of its own.
	static std::unique_ptr<TestServer> instance = startWsServer({"--groups.enabled=true", "--ws.rate_limit=1000", "--ws.rate_burst=1000"});
	return *instance;
}

HttpReply call(const Account& as, const std::string& method, const std::string& path, const std::string& json = "")
{
	HttpClient http(server().httpPort());
	http.setBearer(as.token);
	return http.request(method, path, json, json.empty() ? "" : "application/json");
}

std::string subscribeFrame(const std::string& list)
{
	return "{\"type\":\"presence\",\"subscribe\":" + list + "}";
}

/// The presence frame's answer: the next presence frame names userId as online or not.
void expectAnswer(WsClient& client, Poco::Int64 userId, bool online)
{
	auto frame = client.receiveType("presence");
	CPPUNIT_ASSERT_EQUAL(userId, frame->getValue<Poco::Int64>("userId"));
	CPPUNIT_ASSERT_EQUAL(online, frame->getValue<bool>("online"));
}

} // namespace

class WsPresenceTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(WsPresenceTest);
	CPPUNIT_TEST(testDirectChats);
	CPPUNIT_TEST(testGroups);
	CPPUNIT_TEST(testSubscribe);
	CPPUNIT_TEST(testSubscribeLimits);
	CPPUNIT_TEST(testScopeAll);
	CPPUNIT_TEST_SUITE_END();

public:
	void testDirectChats()
	{
		Account a = registerAccount(server(), "dira");
		Account b = registerAccount(server(), "dirb");
		Account c = registerAccount(server(), "dirc");
		postMessage(server(), a, b.id, "hi");
		auto a1 = connectAs(server(), a);
		CPPUNIT_ASSERT(waitPresence(*a1, a.id, true));  // the list names the user first
		auto b1 = connectAs(server(), b);
		CPPUNIT_ASSERT(waitPresence(*a1, b.id, true));
		CPPUNIT_ASSERT(waitPresence(*b1, a.id, true));  // b's list: a shares a chat and is online
		// c shares no chat with them: c's list names only c, and nobody hears of c.
		auto c1 = connectAs(server(), c);
		CPPUNIT_ASSERT(waitPresence(*c1, c.id, true));
		CPPUNIT_ASSERT(!waitPresence(*c1, a.id, true, 500));
		CPPUNIT_ASSERT(!waitPresence(*a1, c.id, true, 500));
		// A first message makes c and a partners: each hears the other is online.
		postMessage(server(), c, a.id, "hello a");
		CPPUNIT_ASSERT(waitPresence(*a1, c.id, true));
		CPPUNIT_ASSERT(waitPresence(*c1, a.id, true));
		// b leaves: a hears of it, c does not.
		b1->close();
		b1.reset();
		CPPUNIT_ASSERT(waitPresence(*a1, b.id, false));
		CPPUNIT_ASSERT(!waitPresence(*c1, b.id, false, 500));
		// A second connection of a gets the list at once: a, and c online.
		auto a2 = connectAs(server(), a);
		CPPUNIT_ASSERT(waitPresence(*a2, c.id, true));
	}

	void testGroups()
	{
		Account d = registerAccount(server(), "grpd");
		Account e = registerAccount(server(), "grpe");
		Account f = registerAccount(server(), "grpf");
		auto d1 = connectAs(server(), d);
		auto e1 = connectAs(server(), e);
		CPPUNIT_ASSERT(!waitPresence(*d1, e.id, true, 500));
		// A group of the three, made while d and e are connected.
		HttpReply created = call(d, "POST", "/groups", "{\"name\":\"Trio\",\"memberIds\":[" + std::to_string(e.id) + "," + std::to_string(f.id) + "]}");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(created.body, 201, created.status);
		const Poco::Int64 group = created.json()->getValue<Poco::Int64>("id");
		auto f1 = connectAs(server(), f);
		CPPUNIT_ASSERT(waitPresence(*d1, f.id, true));
		CPPUNIT_ASSERT(waitPresence(*e1, f.id, true));
		CPPUNIT_ASSERT(waitPresence(*f1, d.id, true));  // f's list from the group loaded at connect
		// e leaves the group: f's going offline reaches d only.
		HttpReply left = call(e, "DELETE", "/groups/" + std::to_string(group) + "/members/" + std::to_string(e.id));
		CPPUNIT_ASSERT_EQUAL_MESSAGE(left.body, 204, left.status);
		CPPUNIT_ASSERT(e1->receiveType("group")->getValue<std::string>("event") == "member_removed");
		f1->close();
		f1.reset();
		CPPUNIT_ASSERT(waitPresence(*d1, f.id, false));
		CPPUNIT_ASSERT(!waitPresence(*e1, f.id, false, 500));
	}

	void testSubscribe()
	{
		Account g = registerAccount(server(), "subg");
		Account h = registerAccount(server(), "subh");
		auto g1 = connectAs(server(), g);
		CPPUNIT_ASSERT(waitPresence(*g1, g.id, true));
		// Answered at once with the current presence of each (ids as numbers or digits).
		g1->sendText(subscribeFrame("[" + std::to_string(h.id) + ",\"999999999\"]"));
		expectAnswer(*g1, h.id, false);
		expectAnswer(*g1, 999999999, false);
		auto h1 = connectAs(server(), h);
		CPPUNIT_ASSERT(waitPresence(*g1, h.id, true));
		// A later frame replaces the list: h is no longer followed.
		g1->sendText(subscribeFrame("[" + std::to_string(g.id) + "]"));
		expectAnswer(*g1, g.id, true);
		h1->close();
		h1.reset();
		CPPUNIT_ASSERT(!waitPresence(*g1, h.id, false, 500));
		// A subscription ends with its connection: nothing is sent to a closed one.
		g1->sendText(subscribeFrame("[" + std::to_string(h.id) + "]"));
		expectAnswer(*g1, h.id, false);
		g1->close();
		g1.reset();
		h1 = connectAs(server(), h);
		h1->close();
	}

	void testSubscribeLimits()
	{
		Account k = registerAccount(server(), "subk");
		auto k1 = connectAs(server(), k);
		CPPUNIT_ASSERT(waitPresence(*k1, k.id, true));
		std::string list = "[";
		for (int id = 1; id <= 257; ++id) list += (id > 1 ? "," : "") + std::to_string(id);
		list += "]";
		for (const std::string& bad: {list, std::string("\"1\""), std::string("[0]"), std::string("[-3]"), std::string("[1.5]"), std::string("[[1]]"), std::string("{}")})
		{
			k1->sendText(subscribeFrame(bad));
			auto error = k1->receiveType("error");
			CPPUNIT_ASSERT_EQUAL(std::string("bad_request"), error->getValue<std::string>("code"));
			CPPUNIT_ASSERT_EQUAL(std::string("subscribe"), error->getValue<std::string>("field"));
		}
		k1->sendText("{\"type\":\"presence\"}");
		CPPUNIT_ASSERT_EQUAL(std::string("subscribe"), k1->receiveType("error")->getValue<std::string>("field"));
		// 256 ids are accepted: one answer each.
		list = "[";
		for (int id = 1; id <= 256; ++id) list += (id > 1 ? "," : "") + std::to_string(1000000 + id);
		list += "]";
		k1->sendText(subscribeFrame(list));
		for (int id = 1; id <= 256; ++id) expectAnswer(*k1, 1000000 + id, false);
		// The connection stays usable.
		k1->sendText(subscribeFrame("[]"));
		k1->sendText("{\"type\":\"typing\",\"toUserId\":" + std::to_string(k.id) + "}");
		CPPUNIT_ASSERT_EQUAL(k.id, k1->receiveType("typing")->getValue<Poco::Int64>("fromUserId"));
	}

	void testScopeAll()
	{
		// Part 1's behaviour: every authenticated connection hears of everyone.
		std::unique_ptr<TestServer> all = startWsServer({"--ws.presence_scope=all"});
		Account m = registerAccount(*all, "allm");
		Account n = registerAccount(*all, "alln");
		auto m1 = connectAs(*all, m);
		auto n1 = connectAs(*all, n);
		CPPUNIT_ASSERT(waitPresence(*m1, n.id, true));
		CPPUNIT_ASSERT(waitPresence(*n1, m.id, true));
		// The subscribe frame is answered there too.
		m1->sendText(subscribeFrame("[" + std::to_string(n.id) + "]"));
		expectAnswer(*m1, n.id, true);
		n1->close();
		n1.reset();
		CPPUNIT_ASSERT(waitPresence(*m1, n.id, false));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(WsPresenceTest);
