// A group message to many connections (issue 14): the ws plugin hands the
// connections to each I/O loop in chunks (WebSocketEndpoint::sendToEach);
// every connection gets every message once, in order, and a member who does
// not read is closed (1013) without holding the others.
#include "WsTestSupport.h"
#include <cppunit/extensions/HelperMacros.h>
#include <sys/resource.h>

using namespace Palaver::Testing;

namespace {

TestServer& server()
{
	// Small output limits so that a slow reader is caught quickly; no
	// presence, whose frames would swamp 2,000 connections.
	static std::unique_ptr<TestServer> instance = startWsServer({"--groups.enabled=true", "--ws.presence=false",
		"--ws.max_pending=65536", "--ws.send_buffer=4096", "--ws.close_timeout=5"});
	return *instance;
}

HttpReply call(const Account& as, const std::string& method, const std::string& path, const std::string& json)
{
	HttpClient http(server().httpPort());
	http.setBearer(as.token);
	return http.request(method, path, json, "application/json");
}

Poco::Int64 createGroup(const Account& creator, const std::vector<Account>& members)
{
	std::string ids;
	for (const Account& member: members) ids += (ids.empty() ? "" : ",") + std::to_string(member.id);
	HttpReply reply = call(creator, "POST", "/groups", "{\"name\":\"Muchos\",\"memberIds\":[" + ids + "]}");
	CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 201, reply.status);
	return reply.json()->getValue<Poco::Int64>("id");
}

Poco::Int64 postToGroup(const Account& from, Poco::Int64 groupId, const std::string& text)
{
	HttpReply reply = call(from, "POST", "/post/togroup/" + std::to_string(groupId), "{\"text\":\"" + text + "\"}");
	CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 201, reply.status);
	return reply.json()->getValue<Poco::Int64>("id");
}

} // namespace

class GroupFanOutTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(GroupFanOutTest);
	CPPUNIT_TEST(testEveryConnectionOnce);
	CPPUNIT_TEST(testSlowMemberHoldsNoOne);
	CPPUNIT_TEST_SUITE_END();

public:
	void testEveryConnectionOnce()
	{
		rlimit limit{};
		getrlimit(RLIMIT_NOFILE, &limit);
		limit.rlim_cur = limit.rlim_max;
		setrlimit(RLIMIT_NOFILE, &limit);
		// More connections than two chunks (1,024 each): with the default two
		// I/O loops, one of them gets more than one hand-off per message.
		const std::size_t members = 22;
		const std::size_t perMember = 100;
		CPPUNIT_ASSERT_MESSAGE("RLIMIT_NOFILE too low for this test", limit.rlim_cur > members * perMember + 100);
		std::vector<Account> accounts;
		for (std::size_t i = 0; i < members; ++i) accounts.push_back(registerAccount(server(), "many"));
		const Poco::Int64 group = createGroup(accounts[0], std::vector<Account>(accounts.begin() + 1, accounts.end()));
		std::vector<std::unique_ptr<WsClient>> clients;
		clients.reserve(members * perMember);
		for (std::size_t i = 0; i < members * perMember; ++i)
		{
			// Half on the ws port, half through GET /ws on the HTTP port.
			const std::string query = "?token=" + HttpClient::encode(accounts[i % members].token);
			if (i % 2 == 0) clients.push_back(std::make_unique<WsClient>(server().wsPort(), "/" + query));
			else clients.push_back(std::make_unique<WsClient>(server().httpPort(), "/ws" + query));
		}
		for (auto& client: clients) client->receiveType("ready");

		const Poco::Int64 first = postToGroup(accounts[1], group, "a todos");
		const Poco::Int64 second = postToGroup(accounts[0], group, "otra vez");
		// In order, once each: a duplicate of the first would come before the second.
		for (auto& client: clients)
		{
			CPPUNIT_ASSERT_EQUAL(first, client->receiveType("groupmsg", 10000)->getValue<Poco::Int64>("id"));
			CPPUNIT_ASSERT_EQUAL(second, client->receiveType("groupmsg", 10000)->getValue<Poco::Int64>("id"));
		}
	}

	void testSlowMemberHoldsNoOne()
	{
		Account sender = registerAccount(server(), "sender");
		Account slow = registerAccount(server(), "slow");
		Account watcher = registerAccount(server(), "watcher");
		const Poco::Int64 group = createGroup(sender, {slow, watcher});
		// The slow one never reads, with a tiny receive buffer.
		RawWs reader(server().wsPort(), 4096);
		CPPUNIT_ASSERT_EQUAL(101, reader.handshake("/?token=" + HttpClient::encode(slow.token)));
		CPPUNIT_ASSERT(reader.receive().payload.find("\"ready\"") != std::string::npos);
		auto first = connectAs(server(), watcher);
		auto second = connectAs(server(), watcher);
		const std::string text(4000, 'w');
		// 60 x 4 KB is far more than the kernel buffers and max_pending
		// (64 KiB) hold: the server gives up on the reader, while the
		// watcher's connections get every message at once.
		for (int i = 0; i < 60; ++i)
		{
			const Poco::Int64 id = postToGroup(sender, group, text);
			CPPUNIT_ASSERT_EQUAL(id, first->receiveType("groupmsg", 5000)->getValue<Poco::Int64>("id"));
			CPPUNIT_ASSERT_EQUAL(id, second->receiveType("groupmsg", 5000)->getValue<Poco::Int64>("id"));
		}
		CPPUNIT_ASSERT_EQUAL(1013, reader.waitForClose(10000));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(GroupFanOutTest);
