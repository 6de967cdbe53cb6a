// Integration tests of what the auth plugin offers other plugins: the
// UserDirectory service and the "user.registered" event, seen through a probe
// plugin (ProbePlugin.cpp) loaded beside it in a real palaverd.
#include "HttpClient.h"
#include "TestServer.h"
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/String.h>
#include <Poco/TemporaryFile.h>
#include <Poco/Thread.h>
#include <Poco/Timestamp.h>
#include <cppunit/extensions/HelperMacros.h>
#include <csignal>
#include <signal.h>
#include <memory>
#include <string>

using Palaver::Testing::HttpClient;
using Palaver::Testing::HttpReply;
using Palaver::Testing::TestServer;
using Poco::Net::NameValueCollection;

class UserDirectoryTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(UserDirectoryTest);
	CPPUNIT_TEST(testEventAfterCommit);
	CPPUNIT_TEST(testUserForToken);
	CPPUNIT_TEST(testFindAndList);
	CPPUNIT_TEST(testAuthenticate);
	CPPUNIT_TEST(testFindByNameAndServiceAccounts);
	CPPUNIT_TEST(testSessionExpires);
	CPPUNIT_TEST(testReconfigure);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		_pluginsDir = Poco::TemporaryFile::tempName();
		Poco::File(_pluginsDir).createDirectories();
		write("10-auth.ini", "[auth]\nlibrary = palaver-auth\nenabled = true\npassword_opslimit = 1\npassword_memlimit = 8192\n");
		write("90-authprobe.ini", "[authprobe]\nlibrary = " AUTH_PROBE_PLUGIN "\nenabled = true\n");
	}

	void tearDown() override
	{
		_server.reset();
		Poco::File(_pluginsDir).remove(true);
	}

	void testEventAfterCommit()
	{
		start();
		HttpClient client(_server->httpPort());
		HttpReply registered = client.registerUser("ana", "secret123", "soy Ana");
		CPPUNIT_ASSERT_EQUAL(201, registered.status);
		// Refused registrations publish nothing.
		HttpClient other(_server->httpPort());
		CPPUNIT_ASSERT_EQUAL(409, other.registerUser("ana").status);
		CPPUNIT_ASSERT_EQUAL(400, other.registerUser("bob", "short").status);

		auto events = client.get("/probe/events").jsonArray();
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), events->size());
		auto seen = events->getObject(0);
		CPPUNIT_ASSERT(seen->getValue<bool>("committed"));
		auto payload = seen->getObject("payload");
		auto user = registered.json()->getObject("user");
		CPPUNIT_ASSERT_EQUAL(user->getValue<Poco::Int64>("id"), payload->getValue<Poco::Int64>("id"));
		CPPUNIT_ASSERT_EQUAL(std::string("ana"), payload->getValue<std::string>("userName"));
		CPPUNIT_ASSERT_EQUAL(std::string("soy Ana"), payload->getValue<std::string>("info"));
		CPPUNIT_ASSERT(payload->has("image") && payload->isNull("image"));
		CPPUNIT_ASSERT_EQUAL(std::size_t(4), payload->size());
	}

	void testUserForToken()
	{
		start();
		HttpClient client(_server->httpPort());
		HttpReply registered = client.registerUser("ana");
		const std::string token = registered.json()->getValue<std::string>("token");
		HttpClient probe(_server->httpPort());
		HttpReply found = probe.get("/probe/token?token=" + token);
		CPPUNIT_ASSERT_EQUAL(200, found.status);
		CPPUNIT_ASSERT_EQUAL(std::string("ana"), found.json()->getValue<std::string>("userName"));
		CPPUNIT_ASSERT_EQUAL(404, probe.get("/probe/token?token=").status);
		CPPUNIT_ASSERT_EQUAL(404, probe.get("/probe/token?token=" + Poco::toUpper(token)).status);
		CPPUNIT_ASSERT_EQUAL(404, probe.get("/probe/token?token=" + token.substr(1) + "0").status);
		CPPUNIT_ASSERT_EQUAL(404, probe.get("/probe/token?token=%27%20OR%201%3D1--").status);
		// A log-out ends it for every plugin at once.
		CPPUNIT_ASSERT_EQUAL(204, client.request("POST", "/logout").status);
		CPPUNIT_ASSERT_EQUAL(404, probe.get("/probe/token?token=" + token).status);
	}

	void testFindAndList()
	{
		start();
		HttpClient client(_server->httpPort());
		for (const char* name: {"carl", "ana", "bob"})
			CPPUNIT_ASSERT_EQUAL(201, client.registerUser(name).status);
		auto users = client.get("/probe/users").jsonArray();
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), users->size());
		CPPUNIT_ASSERT_EQUAL(std::string("ana"), users->getObject(0)->getValue<std::string>("userName"));
		CPPUNIT_ASSERT_EQUAL(std::string("bob"), users->getObject(1)->getValue<std::string>("userName"));
		CPPUNIT_ASSERT_EQUAL(std::string("carl"), users->getObject(2)->getValue<std::string>("userName"));
		const Poco::Int64 carlId = users->getObject(2)->getValue<Poco::Int64>("id");
		HttpReply carl = client.get("/probe/user/" + std::to_string(carlId));
		CPPUNIT_ASSERT_EQUAL(200, carl.status);
		CPPUNIT_ASSERT_EQUAL(std::string("carl"), carl.json()->getValue<std::string>("userName"));
		CPPUNIT_ASSERT_EQUAL(404, client.get("/probe/user/999999").status);
	}

	void testFindByNameAndServiceAccounts()
	{
		start();
		HttpClient client(_server->httpPort());
		CPPUNIT_ASSERT_EQUAL(201, client.registerUser("ana").status);
		HttpReply ana = client.get("/probe/named/ana");
		CPPUNIT_ASSERT_EQUAL(200, ana.status);
		CPPUNIT_ASSERT_EQUAL(std::string("ana"), ana.json()->getValue<std::string>("userName"));
		CPPUNIT_ASSERT_EQUAL(404, client.get("/probe/named/nobody").status);

		// Created once (with its event), found afterwards; nobody logs in as it.
		HttpReply bot = client.request("POST", "/probe/service/echobot");
		CPPUNIT_ASSERT_EQUAL(200, bot.status);
		const Poco::Int64 botId = bot.json()->getValue<Poco::Int64>("id");
		CPPUNIT_ASSERT(botId > 0);
		CPPUNIT_ASSERT_EQUAL(botId, client.request("POST", "/probe/service/echobot").json()->getValue<Poco::Int64>("id"));
		CPPUNIT_ASSERT_EQUAL(botId, client.get("/probe/named/echobot").json()->getValue<Poco::Int64>("id"));
		auto events = client.get("/probe/events").jsonArray();
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), events->size());
		CPPUNIT_ASSERT_EQUAL(std::string("echobot"), events->getObject(1)->getObject("payload")->getValue<std::string>("userName"));
		for (const char* password: {"", "x", "secret123"})
		{
			HttpClient guess(_server->httpPort());
			const int status = guess.request("POST", "/login", std::string("{\"username\":\"echobot\",\"password\":\"") + password + "\"}", "application/json").status;
			CPPUNIT_ASSERT_MESSAGE(password, status == 401 || (status == 400 && !*password));
		}
		CPPUNIT_ASSERT_EQUAL(409, client.registerUser("echobot").status);

		// A user with a password is no service account; a bad name is refused.
		CPPUNIT_ASSERT_EQUAL(409, client.request("POST", "/probe/service/ana").status);
		CPPUNIT_ASSERT_EQUAL(400, client.request("POST", "/probe/service/" + std::string(181, 'x')).status);
	}

	void testAuthenticate()
	{
		start();
		HttpClient client(_server->httpPort());
		HttpReply registered = client.registerUser("ana");
		const std::string token = registered.json()->getValue<std::string>("token");
		HttpReply bearer = client.request("POST", "/probe/whoami");
		CPPUNIT_ASSERT_EQUAL(200, bearer.status);
		CPPUNIT_ASSERT_EQUAL(std::string("ana"), bearer.json()->getValue<std::string>("userName"));

		HttpClient browser(_server->httpPort());
		browser.setCookie("palaver_session=" + token);
		CPPUNIT_ASSERT_EQUAL(200, browser.request("POST", "/probe/whoami").status);
		NameValueCollection evil;
		evil.set("Origin", "https://evil.example");
		CPPUNIT_ASSERT_EQUAL(403, browser.request("POST", "/probe/whoami", "", "", evil).status);
		NameValueCollection own;
		own.set("Origin", "http://127.0.0.1:" + std::to_string(_server->httpPort()));
		CPPUNIT_ASSERT_EQUAL(200, browser.request("POST", "/probe/whoami", "", "", own).status);
		CPPUNIT_ASSERT_EQUAL(200, client.request("POST", "/probe/whoami", "", "", evil).status);

		HttpClient anonymous(_server->httpPort());
		HttpReply refused = anonymous.request("POST", "/probe/whoami");
		CPPUNIT_ASSERT_EQUAL(401, refused.status);
		CPPUNIT_ASSERT_EQUAL(std::string("unauthorized"), refused.errorCode());
	}

	void testSessionExpires()
	{
		start({"--auth.session_ttl=1"});
		HttpClient client(_server->httpPort());
		// Started before the session is made: it cannot expire less than a
		// second after this, however late the answer comes on a loaded machine.
		Poco::Timestamp started;
		HttpReply registered = client.registerUser("ana");
		CPPUNIT_ASSERT_EQUAL(201, registered.status);
		const std::string token = registered.json()->getValue<std::string>("token");
		CPPUNIT_ASSERT(registered.setCookies.at(0).find("Max-Age=1;") != std::string::npos);
		// Poll until the session has expired, for at most 5 seconds.
		int status = 200;
		while (status == 200 && !started.isElapsed(5 * Poco::Timestamp::resolution()))
		{
			Poco::Thread::sleep(100);
			status = client.get("/me").status;
		}
		CPPUNIT_ASSERT_EQUAL(401, status);
		// The sweeper ends a session up to its interval (500 ms) before its
		// expiry, never after it (SessionSweeper.h).
		CPPUNIT_ASSERT_MESSAGE(std::to_string(started.elapsed()), started.elapsed() >= 500 * 1000);
		CPPUNIT_ASSERT_EQUAL(404, client.get("/probe/token?token=" + token).status);
		// Logging in again gives a fresh session.
		HttpClient again(_server->httpPort());
		CPPUNIT_ASSERT_EQUAL(200, again.postForm("/login", {{"username", "ana"}, {"password", "secret123"}}).status);
	}

	void testReconfigure()
	{
		start();
		HttpClient client(_server->httpPort());
		HttpReply registered = client.registerUser("ana");
		CPPUNIT_ASSERT_EQUAL(201, registered.status);
		CPPUNIT_ASSERT(registered.setCookies.at(0).find("Secure") == std::string::npos);
		CPPUNIT_ASSERT(registered.setCookies.at(0).find("Max-Age=2592000;") != std::string::npos);

		// SIGHUP re-reads [auth]: session_ttl and secure_cookie apply to new sessions.
		write("10-auth.ini", "[auth]\nlibrary = palaver-auth\nenabled = true\npassword_opslimit = 1\npassword_memlimit = 8192\n"
			"secure_cookie = true\nsession_ttl = 3600\n");
		CPPUNIT_ASSERT_EQUAL(0, ::kill(_server->pid(), SIGHUP));
		Poco::Timestamp started;
		std::string cookie;
		while (cookie.find("Secure") == std::string::npos && !started.isElapsed(5 * Poco::Timestamp::resolution()))
		{
			HttpClient login(_server->httpPort());
			HttpReply reply = login.postForm("/login", {{"username", "ana"}, {"password", "secret123"}});
			CPPUNIT_ASSERT_EQUAL(200, reply.status);
			cookie = reply.setCookies.at(0);
			if (cookie.find("Secure") == std::string::npos) Poco::Thread::sleep(100);
		}
		CPPUNIT_ASSERT_MESSAGE(cookie, cookie.find("; Secure") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(cookie, cookie.find("Max-Age=3600;") != std::string::npos);
		// Sessions opened before still work.
		CPPUNIT_ASSERT_EQUAL(200, client.get("/me").status);
	}

private:
	void start(const std::vector<std::string>& arguments = {})
	{
		TestServer::Options options;
		options.pluginsConfigDir = _pluginsDir;
		options.arguments = arguments;
		_server.reset(new TestServer(options));
		_server->start();
	}

	void write(const std::string& name, const std::string& text)
	{
		Poco::FileOutputStream out(_pluginsDir + "/" + name);
		out << text;
	}

	std::string _pluginsDir;
	std::unique_ptr<TestServer> _server;
};

CPPUNIT_TEST_SUITE_REGISTRATION(UserDirectoryTest);
