// Issue 21 in the auth plugin: the session cookie behind https (Secure,
// __Host- prefix against cookie tossing) and user names that cannot mislead
// a reader (invisible and bidirectional characters, NFC, case).
#include "AuthOnly.h"
#include "HttpClient.h"
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/File.h>
#include <Poco/JSON/Object.h>
#include <Poco/TemporaryFile.h>
#include <sstream>
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

std::string registerJson(const std::string& name)
{
	Poco::JSON::Object body;
	body.set("username", name);
	body.set("password", "secret123");
	std::ostringstream text;
	body.stringify(text);
	return text.str();
}

int login(Poco::UInt16 port, const std::string& name, Poco::Int64* id = nullptr)
{
	HttpReply reply = HttpClient(port).postJson("/login", registerJson(name));
	if (id && reply.status == 200) *id = reply.json()->getObject("user")->getValue<Poco::Int64>("id");
	return reply.status;
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
	CPPUNIT_TEST(testLookAlikeNames);
	CPPUNIT_TEST(testMigrationKeepsClashingNames);
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

	void testLookAlikeNames()
	{
		TestServer server(authOnly());
		server.start();
		HttpClient client(server.httpPort());
		CPPUNIT_ASSERT_EQUAL(201, client.postJson("/register", registerJson("alice")).status);
		// The same name to a reader: case, width.
		for (const std::string name: {"Alice", "ALICE", "\xEF\xBD\x81\xEF\xBD\x8C\xEF\xBD\x89\xEF\xBD\x83\xEF\xBD\x85"})
		{
			HttpReply reply = client.postJson("/register", registerJson(name));
			CPPUNIT_ASSERT_EQUAL_MESSAGE(name, 409, reply.status);
			CPPUNIT_ASSERT_EQUAL(std::string("username"), reply.json()->getObject("error")->getValue<std::string>("field"));
		}
		// Hidden characters: zero-width, a bidirectional override, a C1 control.
		for (const std::string name: {"al\xE2\x80\x8Bice", "\xE2\x80\xAE" "ecila", "alice\xC2\x9B"})
		{
			HttpReply reply = client.postJson("/register", registerJson(name));
			CPPUNIT_ASSERT_EQUAL_MESSAGE(name, 400, reply.status);
			CPPUNIT_ASSERT_EQUAL(std::string("validation_failed"), reply.errorCode());
		}
		// Stored in NFC; a log-in in either form finds it.
		HttpReply jose = client.postJson("/register", registerJson("Jose\xCC\x81"));
		CPPUNIT_ASSERT_EQUAL(201, jose.status);
		CPPUNIT_ASSERT_EQUAL(std::string("Jos\xC3\xA9"), jose.json()->getObject("user")->getValue<std::string>("userName"));
		CPPUNIT_ASSERT_EQUAL(200, login(server.httpPort(), "Jos\xC3\xA9"));
		CPPUNIT_ASSERT_EQUAL(200, login(server.httpPort(), "Jose\xCC\x81"));
	}

	void testMigrationKeepsClashingNames()
	{
		// A database of schema version 1 (before name keys) in which "alice"
		// and "Alice" are two users, as the earlier rules allowed.
		const std::string stateDir = Poco::TemporaryFile::tempName();
		const std::vector<std::string> sqlite = {"--database.connector=sqlite", "--database.connection=" + stateDir + "/palaver.db"};
		TestServer::Options options = authOnly(sqlite);
		options.stateDir = stateDir;
		{
			TestServer before(options);
			before.start();
			HttpClient client(before.httpPort());
			CPPUNIT_ASSERT_EQUAL(201, client.postJson("/register", registerJson("alice")).status);
			CPPUNIT_ASSERT_EQUAL(201, client.postJson("/register", registerJson("bob")).status);
			before.stop();
		}
		Poco::Data::SQLite::Connector::registerConnector();
		{
			Poco::Data::Session db("SQLite", stateDir + "/palaver.db");
			using namespace Poco::Data::Keywords;
			// Back to version 1: what versions 2 (name keys), 3 (session columns)
			// and 4 (disabled users, invites) added goes.
			db << "DROP INDEX users_name_key", now;
			db << "ALTER TABLE users DROP COLUMN name_key", now;
			db << "ALTER TABLE sessions DROP COLUMN last_seen_at", now;
			db << "ALTER TABLE sessions DROP COLUMN user_agent", now;
			db << "ALTER TABLE users DROP COLUMN disabled", now;
			db << "DROP TABLE invites", now;
			db << "INSERT INTO users (user_name, password_hash, info, image, created_at) "
				"SELECT 'Alice', password_hash, '', '', created_at FROM users WHERE user_name = 'alice'", now;
			db << "UPDATE schema_versions SET version = 1 WHERE component = 'auth'", now;
		}

		TestServer after(options);
		after.start();
		CPPUNIT_ASSERT(after.waitForOutput("user names alice (id 1) and Alice (id 3) differ only by case or width"));
		Poco::Int64 first = 0;
		Poco::Int64 second = 0;
		CPPUNIT_ASSERT_EQUAL(200, login(after.httpPort(), "alice", &first));
		CPPUNIT_ASSERT_EQUAL(200, login(after.httpPort(), "Alice", &second));
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(1), first);
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(3), second);
		CPPUNIT_ASSERT_EQUAL(200, login(after.httpPort(), "bob"));
		HttpClient client(after.httpPort());
		CPPUNIT_ASSERT_EQUAL(409, client.postJson("/register", registerJson("ALICE")).status);
		CPPUNIT_ASSERT_EQUAL(409, client.postJson("/register", registerJson("Bob")).status);
		after.stop();
		Poco::File(stateDir).remove(true);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(AccountHardeningTest);
