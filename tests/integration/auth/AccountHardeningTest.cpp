// Issue 21 in the auth plugin: the session cookie behind https (Secure,
// __Host- prefix against cookie tossing) and user names that cannot mislead
// a reader (invisible and bidirectional characters, NFC, case).
#include "AuthOnly.h"
#include "HttpClient.h"
#include <cppunit/extensions/HelperMacros.h>

using namespace Palaver::Testing;

namespace {

// The Set-Cookie header of reply that sets name ("" when none).
std::string setCookieNamed(const HttpReply& reply, const std::string& name)
{
	for (const auto& cookie: reply.setCookies)
	{
		if (cookie.compare(0, name.size() + 1, name + "=") == 0) return cookie;
	}
	return "";
}

bool hasAttribute(const std::string& setCookie, const std::string& attribute)
{
	return (setCookie + ";").find("; " + attribute + ";") != std::string::npos;
}

} // namespace

class AccountHardeningTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(AccountHardeningTest);
	CPPUNIT_TEST(testHostCookieBehindHttps);
	CPPUNIT_TEST_SUITE_END();

public:
	void testHostCookieBehindHttps()
	{
		TestServer server(authOnly({"--http.public_url=https://chat.example.org"}));
		server.start();
		HttpClient client(server.httpPort());
		HttpReply registered = client.registerUser("tossed");
		CPPUNIT_ASSERT_EQUAL(201, registered.status);
		const std::string cookie = setCookieNamed(registered, "__Host-palaver_session");
		CPPUNIT_ASSERT_MESSAGE(cookie, hasAttribute(cookie, "Secure") && hasAttribute(cookie, "Path=/") && hasAttribute(cookie, "HttpOnly"));
		CPPUNIT_ASSERT(cookie.find("Domain") == std::string::npos);
		CPPUNIT_ASSERT(setCookieNamed(registered, "palaver_session").empty());
		const std::string token = registered.json()->getValue<std::string>("token");

		HttpClient browser(server.httpPort());
		browser.setCookie("__Host-palaver_session=" + token);
		CPPUNIT_ASSERT_EQUAL(200, browser.get("/me").status);
		// A plain cookie, as a sibling subdomain can plant one, is not read.
		HttpClient tossed(server.httpPort());
		tossed.setCookie("palaver_session=" + token);
		CPPUNIT_ASSERT_EQUAL(401, tossed.get("/me").status);
		// Log-out drops the __Host- cookie, Secure too (browsers ignore it otherwise).
		Poco::Net::NameValueCollection origin;
		origin.set("Origin", "https://chat.example.org");
		HttpReply logout = browser.request("POST", "/logout", "", "", origin);
		CPPUNIT_ASSERT_EQUAL(204, logout.status);
		CPPUNIT_ASSERT(hasAttribute(setCookieNamed(logout, "__Host-palaver_session"), "Secure"));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(AccountHardeningTest);
