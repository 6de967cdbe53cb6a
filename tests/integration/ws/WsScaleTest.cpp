// Many connections on a few threads: 2,000 held at once, and a broadcast
// reaches every one of them.
#include "WsTestSupport.h"
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <cppunit/extensions/HelperMacros.h>
#include <fstream>
#include <iostream>
#include <sys/resource.h>

namespace {

/// Resident memory of a process in KiB (VmRSS), -1 when unknown.
long residentKiB(int pid)
{
	std::ifstream status("/proc/" + std::to_string(pid) + "/status");
	std::string line;
	while (std::getline(status, line))
	{
		if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
	}
	return -1;
}

} // namespace

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
		const int maxExtraThreads = 8;
		CPPUNIT_ASSERT_MESSAGE("RLIMIT_NOFILE too low for this test", limit.rlim_cur > count + 100);

		auto server = startWsServer();
		std::vector<Account> accounts;
		for (int i = 0; i < 20; ++i) accounts.push_back(registerAccount(*server, "many"));

		// Warm up (threads, pools, first allocations) before measuring memory.
		std::vector<std::unique_ptr<WsClient>> clients;
		clients.reserve(count);
		for (std::size_t i = 0; i < 50; ++i)
		{
			clients.push_back(std::make_unique<WsClient>(server->httpPort(), "/ws?token=" + HttpClient::encode(accounts[0].token)));
			clients.back()->receiveType("ready");
		}
		clients.clear();
		const long rssBefore = residentKiB(server->pid());
		// Pools that grow on demand (HTTP workers, libvips' and glib's helpers) have
		// started by now; what comes after must not grow with the connections.
		const int threadsBefore = server->threadCount();
		for (std::size_t i = 0; i < count; ++i)
		{
			// Half on the ws port, half through GET /ws on the HTTP port.
			const Account& account = accounts[i % accounts.size()];
			const std::string query = "?token=" + HttpClient::encode(account.token);
			if (i % 2 == 0) clients.push_back(std::make_unique<WsClient>(server->wsPort(), "/" + query));
			else clients.push_back(std::make_unique<WsClient>(server->httpPort(), "/ws" + query));
		}
		for (auto& client: clients) client->receiveType("ready");

		// Idle connections cost memory, not threads: well under 8 KiB each.
		const long rssAfter = residentKiB(server->pid());
		const double perConnection = static_cast<double>(rssAfter - rssBefore) / static_cast<double>(count);
		CPPUNIT_ASSERT_MESSAGE("KiB per connection: " + std::to_string(perConnection), perConnection < 8.0);

		// Idle connections cost no thread: a few more at most (a pool's late
		// growth), where a thread per connection would add 2,000.
		const int threads = server->threadCount();
		CPPUNIT_ASSERT_MESSAGE("threads: " + std::to_string(threads) + " (before: " + std::to_string(threadsBefore) + ")",
			threads <= threadsBefore + maxExtraThreads);

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
		const int threadsAfter = server->threadCount();
		CPPUNIT_ASSERT_MESSAGE("threads: " + std::to_string(threadsAfter) + " (before: " + std::to_string(threadsBefore) + ")",
			threadsAfter <= threadsBefore + maxExtraThreads);
		std::cout << "palaverd threads with " << count << " connections: " << threadsAfter
			<< ", resident KiB per connection: " << perConnection << std::endl;
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(WsScaleTest);
