// Web Push on two nodes sharing one PostgreSQL and one Redis (issue 19, "Several
// nodes"): both sign with the one VAPID key of the database; a receiver
// connected on the other node counts as connected (no push); an offline
// receiver gets each message pushed exactly once, whichever node stored it.
#include "ClusterNodes.h"
#include "MockPushService.h"
#include "WebPushClient.h"
#include "WsTestSupport.h"
#include <Poco/JSON/Parser.h>
#include <cppunit/extensions/HelperMacros.h>

using namespace Palaver::Testing;

namespace {

std::string serverKey(TestServer& on)
{
	HttpReply reply = HttpClient(on.httpPort()).get("/push/key");
	CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 200, reply.status);
	return reply.json()->getValue<std::string>("publicKey");
}

Poco::Int64 pushedId(const WebPushClient& browser, const MockPushService::Received& push)
{
	return Poco::JSON::Parser().parse(browser.decrypt(push.body)).extract<Poco::JSON::Object::Ptr>()->getValue<Poco::Int64>("id");
}

} // namespace

class PushClusterTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(PushClusterTest);
	CPPUNIT_TEST(testEachPushLeavesOnceFromOneKey);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		_services = startClusterServices();
		startTwoNodes(ClusterServices::createDatabase(_services->postgreSQL(), "palaver"), _services->redisUrl(), _node1, _node2,
			{"--push.enabled=true", "--push.allow_insecure_endpoints=true", "--push.retry_delay=200", "--push.response_timeout=3000"});
	}

	void tearDown() override
	{
		_node2.reset();
		_node1.reset();
		_services.reset();
	}

	void testEachPushLeavesOnceFromOneKey()
	{
		// Both nodes started on an empty database: one key between them.
		const std::string key = serverKey(*_node1);
		CPPUNIT_ASSERT_EQUAL(key, serverKey(*_node2));

		const Account sender = registerAccount(*_node1, "clustersender");
		const Account receiver = registerAccount(*_node2, "clusterreceiver");
		// A chat between them, so that the sender's socket on node 1 hears
		// when node 1 learns of the receiver's connection on node 2.
		postMessage(*_node2, receiver, sender.id, "hola");
		auto watcher = connectAs(*_node1, sender);
		auto receiverOnNode2 = connectAs(*_node2, receiver);
		CPPUNIT_ASSERT(waitPresence(*watcher, receiver.id, true));

		MockPushService service;
		WebPushClient browser;
		HttpClient http(_node2->httpPort());
		http.setBearer(receiver.token);
		const HttpReply subscribed = http.postJson("/push/subscriptions", browser.subscriptionJson(service.origin() + "/ok/receiver"));
		CPPUNIT_ASSERT_EQUAL_MESSAGE(subscribed.body, 201, subscribed.status);

		// Connected on node 2, written to on node 1: delivered live, no push.
		const Poco::Int64 live = postMessage(*_node1, sender, receiver.id, "while connected on node 2");
		CPPUNIT_ASSERT_EQUAL(live, receiverOnNode2->receiveType("chatmsg")->getValue<Poco::Int64>("id"));
		CPPUNIT_ASSERT(service.waitFor("/ok/receiver", 1, 1500).empty());

		// Offline: each message pushed exactly once, stored on either node.
		receiverOnNode2->close();
		receiverOnNode2.reset();
		CPPUNIT_ASSERT(waitPresence(*watcher, receiver.id, false));
		const Poco::Int64 fromNode1 = postMessage(*_node1, sender, receiver.id, "stored on node 1");
		auto pushes = service.waitFor("/ok/receiver", 1);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), pushes.size());
		CPPUNIT_ASSERT_EQUAL(fromNode1, pushedId(browser, pushes[0]));
		WebPushClient::verifyVapid(pushes[0].headers.get("Authorization", ""), key);

		const Poco::Int64 fromNode2 = postMessage(*_node2, sender, receiver.id, "stored on node 2");
		pushes = service.waitFor("/ok/receiver", 2);
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), pushes.size());
		CPPUNIT_ASSERT_EQUAL(fromNode2, pushedId(browser, pushes[1]));
		WebPushClient::verifyVapid(pushes[1].headers.get("Authorization", ""), key);
		CPPUNIT_ASSERT_MESSAGE("no second push of either", service.waitFor("/ok/receiver", 3, 1500).size() == 2);
	}

private:
	std::unique_ptr<ClusterServices> _services;
	std::unique_ptr<TestServer> _node1;
	std::unique_ptr<TestServer> _node2;
};

CPPUNIT_TEST_SUITE_REGISTRATION(PushClusterTest);
