// Abuse limits (issue 15, step 5): log-ins and registrations per client
// address (behind trusted proxies, per X-Forwarded-For), and a locked name
// that stays locked whatever other names are tried.
#include "AuthOnly.h"
#include "HttpClient.h"
#include "TestServer.h"
#include <Poco/Net/NameValueCollection.h>
#include <cppunit/extensions/HelperMacros.h>
#include <memory>

using namespace Palaver::Testing;

namespace {

std::unique_ptr<TestServer> startAuth(const std::vector<std::string>& extra)
{
	auto server = std::make_unique<TestServer>(authOnly(extra));
	server->start();
	return server;
}

HttpReply login(TestServer& server, const std::string& name, const std::string& forwardedFor = "", const std::string& password = "wrong-password")
{
	HttpClient http(server.httpPort());
	Poco::Net::NameValueCollection headers;
	if (!forwardedFor.empty()) headers.set("X-Forwarded-For", forwardedFor);
	return http.request("POST", "/login", "{\"username\":\"" + name + "\",\"password\":\"" + password + "\"}", "application/json", headers);
}

} // namespace

class AbuseTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(AbuseTest);
	CPPUNIT_TEST(testLoginPerAddress);
	CPPUNIT_TEST(testRegisterPerAddress);
	CPPUNIT_TEST(testTrustedProxy);
	CPPUNIT_TEST(testLoopbackExemptByDefault);
	CPPUNIT_TEST(testLockedNameStaysLocked);
	CPPUNIT_TEST_SUITE_END();

public:
	void testLoginPerAddress()
	{
		auto server = startAuth({"--auth.rate_exempt=", "--auth.login_per_address=5"});
		HttpClient http(server->httpPort());
		CPPUNIT_ASSERT_EQUAL(201, http.registerUser("rightful").status);
		for (int i = 0; i < 4; ++i) CPPUNIT_ASSERT_EQUAL(401, login(*server, "name" + std::to_string(i)).status);
		CPPUNIT_ASSERT_EQUAL(200, login(*server, "rightful", "", "secret123").status);
		HttpReply limited = login(*server, "rightful", "", "secret123");
		CPPUNIT_ASSERT_EQUAL(429, limited.status);
		CPPUNIT_ASSERT_EQUAL(std::string("rate_limited"), limited.errorCode());
		const int retryAfter = std::stoi(limited.header("Retry-After"));
		CPPUNIT_ASSERT(retryAfter >= 1 && retryAfter <= 60);
	}

	void testRegisterPerAddress()
	{
		auto server = startAuth({"--auth.rate_exempt=", "--auth.register_per_address=3"});
		for (int i = 0; i < 3; ++i)
		{
			HttpClient http(server->httpPort());
			CPPUNIT_ASSERT_EQUAL(201, http.registerUser("newcomer" + std::to_string(i)).status);
		}
		HttpClient http(server->httpPort());
		HttpReply limited = http.registerUser("one-too-many");
		CPPUNIT_ASSERT_EQUAL(429, limited.status);
		CPPUNIT_ASSERT(std::stoi(limited.header("Retry-After")) > 60);
	}

	void testTrustedProxy()
	{
		auto server = startAuth({"--auth.rate_exempt=", "--auth.trusted_proxies=127.0.0.1", "--auth.login_per_address=3"});
		for (int i = 0; i < 3; ++i) CPPUNIT_ASSERT_EQUAL(401, login(*server, "p" + std::to_string(i), "203.0.113.7").status);
		CPPUNIT_ASSERT_EQUAL(429, login(*server, "p9", "203.0.113.7").status);
		// Another client behind the same proxy has its own budget.
		CPPUNIT_ASSERT_EQUAL(401, login(*server, "p9", "203.0.113.8").status);
		// What the client itself put in front is not believed.
		CPPUNIT_ASSERT_EQUAL(429, login(*server, "p9", "198.51.100.1, 203.0.113.7").status);
		// IPv6 clients count per /64.
		for (int i = 0; i < 3; ++i) CPPUNIT_ASSERT_EQUAL(401, login(*server, "q", "2001:db8:1:2::" + std::to_string(i + 1)).status);
		CPPUNIT_ASSERT_EQUAL(429, login(*server, "q", "2001:db8:1:2:ffff::9").status);
		CPPUNIT_ASSERT_EQUAL(401, login(*server, "q", "2001:db8:1:3::1").status);
	}

	void testLoopbackExemptByDefault()
	{
		auto server = startAuth({"--auth.login_per_address=3", "--auth.register_per_address=2"});
		for (int i = 0; i < 10; ++i) CPPUNIT_ASSERT_EQUAL(401, login(*server, "local" + std::to_string(i)).status);
		for (int i = 0; i < 4; ++i)
		{
			HttpClient http(server->httpPort());
			CPPUNIT_ASSERT_EQUAL(201, http.registerUser("local-user" + std::to_string(i)).status);
		}
		// Without trusted proxies, X-Forwarded-For changes nothing.
		CPPUNIT_ASSERT_EQUAL(401, login(*server, "local", "203.0.113.7").status);
	}

	/// The table of names holds 50: lock one, try 300 others, still locked.
	void testLockedNameStaysLocked()
	{
		auto server = startAuth({"--auth.login_throttle_size=50"});
		HttpClient http(server->httpPort());
		CPPUNIT_ASSERT_EQUAL(201, http.registerUser("victim").status);
		for (int i = 0; i < 5; ++i) CPPUNIT_ASSERT_EQUAL(401, login(*server, "victim").status);
		CPPUNIT_ASSERT_EQUAL(429, login(*server, "victim", "", "secret123").status);
		for (int i = 0; i < 300; ++i) CPPUNIT_ASSERT_EQUAL(401, login(*server, "guess" + std::to_string(i)).status);
		CPPUNIT_ASSERT_EQUAL(429, login(*server, "victim", "", "secret123").status);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(AbuseTest);
