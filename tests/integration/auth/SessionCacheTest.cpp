// Integration tests of the auth plugin's session cache against a real
// palaverd: a log-out kills a cached token at once, a cached session still
// ends at its expiry, the cache's size bound applies, and it can be turned off.
#include "AuthOnly.h"
#include "HttpClient.h"
#include "TestServer.h"
#include <Poco/NumberParser.h>
#include <Poco/Thread.h>
#include <Poco/Timestamp.h>
#include <cppunit/extensions/HelperMacros.h>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

using Palaver::Testing::HttpClient;
using Palaver::Testing::HttpReply;
using Palaver::Testing::TestServer;
using Palaver::Testing::authOnly;

namespace {

// A counter's value from GET /metrics (-1 when absent).
Poco::Int64 metric(TestServer& server, const std::string& name)
{
	HttpClient client(server.httpPort());
	HttpReply reply = client.get("/metrics");
	if (reply.status != 200) return -1;
	std::istringstream lines(reply.body);
	std::string line;
	while (std::getline(lines, line))
	{
		if (line.compare(0, name.size() + 1, name + " ") != 0) continue;
		return static_cast<Poco::Int64>(Poco::NumberParser::parseFloat(line.substr(name.size() + 1)));
	}
	return -1;
}

const std::string HITS = "palaver_auth_session_cache_hits_total";
const std::string MISSES = "palaver_auth_session_cache_misses_total";

} // namespace

class SessionCacheTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(SessionCacheTest);
	CPPUNIT_TEST(testLogoutDropsCachedSession);
	CPPUNIT_TEST(testExpiryHonoured);
	CPPUNIT_TEST(testBounded);
	CPPUNIT_TEST(testDisabled);
	CPPUNIT_TEST_SUITE_END();

public:
	void testLogoutDropsCachedSession()
	{
		TestServer server(authOnly());
		server.start();
		HttpClient client(server.httpPort());
		CPPUNIT_ASSERT_EQUAL(201, client.registerUser("lena").status);
		HttpClient other(server.httpPort());
		HttpReply login = other.postJson("/login", "{\"username\": \"lena\", \"password\": \"secret123\"}");
		CPPUNIT_ASSERT_EQUAL(200, login.status);
		other.setBearer(login.json()->getValue<std::string>("token"));
		CPPUNIT_ASSERT_EQUAL(200, client.get("/me").status);
		CPPUNIT_ASSERT_EQUAL(200, other.get("/me").status);

		// Warm: the next look-ups of both tokens come from the cache.
		const Poco::Int64 hitsBefore = metric(server, HITS);
		for (int i = 0; i < 3; ++i)
		{
			CPPUNIT_ASSERT_EQUAL(200, client.get("/me").status);
			CPPUNIT_ASSERT_EQUAL(200, other.get("/me").status);
		}
		CPPUNIT_ASSERT_MESSAGE("the session cache answered nothing", metric(server, HITS) >= hitsBefore + 6);

		// Logged out: the very next request with the old token is refused, on
		// this connection and on a fresh one, and stays refused.
		HttpReply logout = client.request("POST", "/logout");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(logout.body, 204, logout.status);
		for (int i = 0; i < 5; ++i)
		{
			HttpReply me = client.get("/me");
			CPPUNIT_ASSERT_EQUAL(401, me.status);
			CPPUNIT_ASSERT_EQUAL(std::string("unauthorized"), me.errorCode());
		}
		// The other session of the same user lives on (and is still cached).
		CPPUNIT_ASSERT_EQUAL(200, other.get("/me").status);

		// Logging out the second one kills it as fast.
		CPPUNIT_ASSERT_EQUAL(204, other.request("POST", "/logout").status);
		CPPUNIT_ASSERT_EQUAL(401, other.get("/me").status);
	}

	void testExpiryHonoured()
	{
		// Sessions last 1 s; the cache would keep an entry 300 s.
		TestServer server(authOnly({"--auth.session_ttl=1", "--auth.session_cache_ttl=300"}));
		server.start();
		HttpClient client(server.httpPort());
		const Poco::Timestamp registered;
		CPPUNIT_ASSERT_EQUAL(201, client.registerUser("mia").status);
		const Poco::Int64 hitsBefore = metric(server, HITS);
		HttpReply first = client.get("/me");
		HttpReply second = client.get("/me");
		if (registered.elapsed() < 900000)
		{
			// Both within the session's second: the second from the cache.
			CPPUNIT_ASSERT_EQUAL(200, first.status);
			CPPUNIT_ASSERT_EQUAL(200, second.status);
			CPPUNIT_ASSERT(metric(server, HITS) > hitsBefore);
		}
		int status = 200;
		while (status == 200 && registered.elapsed() < 10 * 1000000)
		{
			Poco::Thread::sleep(20);
			status = client.get("/me").status;
		}
		CPPUNIT_ASSERT_EQUAL(401, status);
		// It ended with the session (1 s), not with the cache entry (300 s).
		CPPUNIT_ASSERT_MESSAGE(std::to_string(registered.elapsed()), registered.elapsed() < 3 * 1000000);
		CPPUNIT_ASSERT_EQUAL(401, client.get("/me").status);
	}

	void testBounded()
	{
		// One entry: two tokens used in turn keep evicting each other.
		TestServer server(authOnly({"--auth.session_cache_size=1"}));
		server.start();
		HttpClient a(server.httpPort());
		HttpClient b(server.httpPort());
		CPPUNIT_ASSERT_EQUAL(201, a.registerUser("ona").status);
		CPPUNIT_ASSERT_EQUAL(201, b.registerUser("pau").status);
		const Poco::Int64 hits = metric(server, HITS);
		const Poco::Int64 misses = metric(server, MISSES);
		for (int i = 0; i < 5; ++i)
		{
			CPPUNIT_ASSERT_EQUAL(std::string("ona"), a.get("/me").json()->getValue<std::string>("userName"));
			CPPUNIT_ASSERT_EQUAL(std::string("pau"), b.get("/me").json()->getValue<std::string>("userName"));
		}
		CPPUNIT_ASSERT_EQUAL(hits, metric(server, HITS));
		CPPUNIT_ASSERT_EQUAL(misses + 10, metric(server, MISSES));
		// The same token twice in a row fits: a miss (b held the entry), then a hit.
		CPPUNIT_ASSERT_EQUAL(200, a.get("/me").status);
		CPPUNIT_ASSERT_EQUAL(200, a.get("/me").status);
		CPPUNIT_ASSERT_EQUAL(hits + 1, metric(server, HITS));
		CPPUNIT_ASSERT_EQUAL(misses + 11, metric(server, MISSES));
	}

	void testDisabled()
	{
		TestServer server(authOnly({"--auth.session_cache_ttl=0"}));
		server.start();
		HttpClient client(server.httpPort());
		CPPUNIT_ASSERT_EQUAL(201, client.registerUser("quim").status);
		for (int i = 0; i < 3; ++i)
			CPPUNIT_ASSERT_EQUAL(200, client.get("/me").status);
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(0), metric(server, HITS));
		CPPUNIT_ASSERT(metric(server, MISSES) >= 3);
		CPPUNIT_ASSERT_EQUAL(204, client.request("POST", "/logout").status);
		CPPUNIT_ASSERT_EQUAL(401, client.get("/me").status);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(SessionCacheTest);
