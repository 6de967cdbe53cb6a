// Many connections on a few threads: 2,000 held at once, and a broadcast
// reaches every one of them.
#include "WsTestSupport.h"
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <cppunit/extensions/HelperMacros.h>
#include <sys/resource.h>

using namespace Palaver::Testing;

class WsScaleTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(WsScaleTest);
	CPPUNIT_TEST(testTwoThousandConnections);
	CPPUNIT_TEST_SUITE_END();

public:
	void testTwoThousandConnections()
	{
		rlimit limit{};
		getrlimit(RLIMIT_NOFILE, &limit);
		limit.rlim_cur = limit.rlim_max;
		setrlimit(RLIMIT_NOFILE, &limit);
		const std::size_t count = 2000;
		CPPUNIT_ASSERT_MESSAGE("RLIMIT_NOFILE too low for this test", limit.rlim_cur > count + 100);

		auto server = startWsServer();
		const int threadsBefore = server->threadCount();
		std::vector<Account> accounts;
		for (int i = 0; i < 20; ++i) accounts.push_back(registerAccount(*server, "many"));

		std::vector<std::unique_ptr<WsClient>> clients;
		clients.reserve(count);
		for (std::size_t i = 0; i < count; ++i)
		{
			// Half on the ws port, half through GET /ws on the HTTP port.
			const Account& account = accounts[i % accounts.size()];
			const std::string query = "?token=" + HttpClient::encode(account.token);
			if (i % 2 == 0) clients.push_back(std::make_unique<WsClient>(server->wsPort(), "/" + query));
			else clients.push_back(std::make_unique<WsClient>(server->httpPort(), "/ws" + query));
		}
		for (auto& client: clients) client->receiveType("ready");

		const int threads = server->threadCount();
		CPPUNIT_ASSERT_MESSAGE("threads: " + std::to_string(threads) + " (before: " + std::to_string(threadsBefore) + ")", threads < 32);

		HttpClient http(server->httpPort());
		const std::string metrics = http.get("/metrics").body;
		const std::size_t pos = metrics.find("\npalaver_ws_connections ");
		CPPUNIT_ASSERT(pos != std::string::npos);
		CPPUNIT_ASSERT_EQUAL(static_cast<long>(count), std::stol(metrics.substr(pos + 24)));

		// One registration, pushed to all 2,000.
		Account newcomer = registerAccount(*server, "latecomer");
		for (auto& client: clients)
		{
			for (;;)
			{
				auto frame = client->receiveType("usermsg", 10000);
				if (frame->getValue<Poco::Int64>("id") == newcomer.id) break;
			}
		}
		// And a message reaches every connection of its receiver (100 of them).
		const Poco::Int64 id = postMessage(*server, accounts[0], accounts[1].id, "to many tabs");
		for (std::size_t i = 1; i < count; i += accounts.size())
			CPPUNIT_ASSERT_EQUAL(id, clients[i]->receiveType("chatmsg", 10000)->getValue<Poco::Int64>("id"));
		CPPUNIT_ASSERT(server->threadCount() < 32);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(WsScaleTest);
