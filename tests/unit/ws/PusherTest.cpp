// The ws machinery in process (no palaverd): the Pusher service, presence
// bookkeeping, shutdown, and running without the messages plugin. Tokens come
// from a fake UserDirectory.
#include "WsServer.h"
#include "WsClient.h"
#include "palaver/OriginPolicy.h"
#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/Thread.h>
#include <Poco/Timestamp.h>
#include <cppunit/extensions/HelperMacros.h>

using namespace Palaver;
using Palaver::Testing::WsClient;

namespace {

class FakeDirectory: public UserDirectory
{
public:
	User authenticate(const Request&) override { throw Poco::NotImplementedException("authenticate"); }

	Poco::Optional<User> userForToken(const std::string& token) override
	{
		if (token != "t1" && token != "t2") return Poco::Optional<User>();
		User user;
		user.id = token == "t1" ? 1 : 2;
		user.userName = token == "t1" ? "uno" : "dos";
		return user;
	}

	std::string sessionId(const std::string& token) const override { return "s-" + token; }
	std::string redeemTicket(const std::string&) override { return ""; }
	Poco::Optional<User> findUser(Poco::Int64) override { return Poco::Optional<User>(); }
	std::vector<User> listUsers() override { return {}; }
	std::vector<User> findUsers(const std::string&, const std::string&, std::size_t, Poco::Int64) override { return {}; }
};

struct Fixture
{
	Fixture()
	{
		Ws::Settings settings;
		settings.address = "127.0.0.1";
		settings.port = 0;
		settings.ioThreads = 2;
		server = std::make_unique<Ws::WsServer>(std::make_shared<Ws::Runtime>(settings, Poco::Logger::get("ws-test"), origins,
			framesIn, framesOut, connections, std::make_shared<FakeDirectory>(), nullptr));
		server->start();
		pusher = server->pusher();
	}

	std::unique_ptr<WsClient> connect(const std::string& token)
	{
		auto client = std::make_unique<WsClient>(server->boundPort(), "/?token=" + token);
		client->receiveType("ready");
		return client;
	}

	/// Polls condition for at most 5 s.
	template <class F>
	bool eventually(F condition)
	{
		const Poco::Timestamp started;
		while (started.elapsed() < 5000000)
		{
			if (condition()) return true;
			Poco::Thread::sleep(10);
		}
		return condition();
	}

	OriginPolicy origins;
	Counter framesIn;
	Counter framesOut;
	Gauge connections;
	std::unique_ptr<Ws::WsServer> server;
	std::shared_ptr<Pusher> pusher;
};

} // namespace

class PusherTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(PusherTest);
	CPPUNIT_TEST(testPushToUserAndBroadcast);
	CPPUNIT_TEST(testOnlineFollowsConnections);
	CPPUNIT_TEST(testWithoutMessageStore);
	CPPUNIT_TEST(testStopClosesWithGoingAway);
	CPPUNIT_TEST_SUITE_END();

public:
	void testPushToUserAndBroadcast()
	{
		Fixture f;
		auto one = f.connect("t1");
		auto oneAgain = f.connect("t1");
		auto two = f.connect("t2");
		f.pusher->pushToUser(1, "{\"type\":\"custom\",\"n\":7}");
		CPPUNIT_ASSERT_EQUAL(7, one->receiveType("custom")->getValue<int>("n"));
		CPPUNIT_ASSERT_EQUAL(7, oneAgain->receiveType("custom")->getValue<int>("n"));
		f.pusher->broadcast("{\"type\":\"everyone\"}");
		for (WsClient* client: {one.get(), oneAgain.get(), two.get()})
			CPPUNIT_ASSERT(client->receiveType("everyone"));
		// two saw the broadcast but never the push to user 1.
		f.pusher->pushToUser(2, "{\"type\":\"custom\",\"n\":8}");
		CPPUNIT_ASSERT_EQUAL(8, two->receiveType("custom")->getValue<int>("n"));
		CPPUNIT_ASSERT(f.framesOut.value() > 0);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(3), f.connections.value());
	}

	void testOnlineFollowsConnections()
	{
		Fixture f;
		CPPUNIT_ASSERT(!f.pusher->isOnline(1));
		auto one = f.connect("t1");
		auto oneAgain = f.connect("t1");
		CPPUNIT_ASSERT(f.pusher->isOnline(1));
		CPPUNIT_ASSERT(!f.pusher->isOnline(2));
		one->close();
		Poco::Thread::sleep(200);
		CPPUNIT_ASSERT(f.pusher->isOnline(1));  // one connection left
		oneAgain->close();
		CPPUNIT_ASSERT(f.eventually([&] { return !f.pusher->isOnline(1); }));
		CPPUNIT_ASSERT(f.eventually([&] { return f.connections.value() == 0; }));
	}

	void testWithoutMessageStore()
	{
		Fixture f;
		auto client = std::make_unique<WsClient>(f.server->boundPort(), "/?token=t1&since=0");
		client->receiveType("ready");
		auto replayed = client->receiveType("replayed");
		CPPUNIT_ASSERT_EQUAL(0, replayed->getValue<int>("count"));
		CPPUNIT_ASSERT(!replayed->getValue<bool>("complete"));
		client->sendText("{\"type\":\"chatmsg\",\"toUserId\":2,\"text\":\"hola\",\"clientMsgId\":\"c\"}");
		auto error = client->receiveType("error");
		CPPUNIT_ASSERT_EQUAL(std::string("unavailable"), error->getValue<std::string>("code"));
		CPPUNIT_ASSERT_EQUAL(std::string("c"), error->getValue<std::string>("clientMsgId"));
	}

	void testStopClosesWithGoingAway()
	{
		Fixture f;
		auto one = f.connect("t1");
		const Poco::UInt16 port = f.server->boundPort();
		f.server->stop();
		CPPUNIT_ASSERT_EQUAL(1001, one->waitForClose(5000));
		// The listener is gone and pushes after stop are harmless.
		f.pusher->pushToUser(1, "{\"type\":\"late\"}");
		CPPUNIT_ASSERT_THROW(WsClient(port, "/?token=t1"), Poco::Exception);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(PusherTest);
