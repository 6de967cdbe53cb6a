// The real palaverd with fixture plugins: routing, JSON errors, limits,
// /health, refusals at start-up, --check-config, SIGHUP and SIGTERM.
#include "HttpClient.h"
#include "TestServer.h"
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/TemporaryFile.h>
#include <Poco/Thread.h>
#include <Poco/Timestamp.h>
#include <cppunit/extensions/HelperMacros.h>
#include <signal.h>

using namespace Palaver::Testing;

class DaemonTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(DaemonTest);
	CPPUNIT_TEST(servesPluginRoutesAndHealth);
	CPPUNIT_TEST(answersJsonErrors);
	CPPUNIT_TEST(handlerExceptionIsA500AndServingGoesOn);
	CPPUNIT_TEST(refusesTooLargeBody);
	CPPUNIT_TEST(disabledPluginIsGone);
	CPPUNIT_TEST(eventsReachSubscribers);
	CPPUNIT_TEST(metricsCountRequests);
	CPPUNIT_TEST(checkConfigNamesMissingLibrary);
	CPPUNIT_TEST(refusalsAreOneLine);
	CPPUNIT_TEST(declaredSettingsAreChecked);
	CPPUNIT_TEST(palaverctlPrintsDeclaredSettings);
	CPPUNIT_TEST(sighupReloadsConfiguration);
	CPPUNIT_TEST(sigtermStopsCleanly);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		_pluginsDir = Poco::TemporaryFile::tempName();
		Poco::File(_pluginsDir).createDirectories();
		writePlugin("10-hello.ini", "hello", "greeting = hi\n");
	}

	void tearDown() override
	{
		Poco::File(_pluginsDir).remove(true);
	}

	void servesPluginRoutesAndHealth()
	{
		TestServer server(options());
		server.start();
		HttpClient client(server.httpPort());
		auto hello = client.get("/hello");
		CPPUNIT_ASSERT_EQUAL(200, hello.status);
		CPPUNIT_ASSERT_EQUAL(std::string("hi"), hello.json()->getValue<std::string>("greeting"));
		CPPUNIT_ASSERT(hello.header("Content-Type").find("application/json") == 0);
		CPPUNIT_ASSERT_EQUAL(std::string("sonia"), client.get("/hello/sonia").json()->getValue<std::string>("name"));

		auto health = client.get("/health");
		CPPUNIT_ASSERT_EQUAL(200, health.status);
		CPPUNIT_ASSERT_EQUAL(std::string("ok"), health.json()->getValue<std::string>("status"));
		auto plugins = health.json()->getArray("plugins");
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), plugins->size());
		CPPUNIT_ASSERT_EQUAL(std::string("hello"), plugins->getObject(0)->getValue<std::string>("name"));
		CPPUNIT_ASSERT_EQUAL(std::string("1.2.3"), plugins->getObject(0)->getValue<std::string>("version"));
	}

	void answersJsonErrors()
	{
		TestServer server(options());
		server.start();
		HttpClient client(server.httpPort());
		auto missing = client.get("/nowhere");
		CPPUNIT_ASSERT_EQUAL(404, missing.status);
		CPPUNIT_ASSERT_EQUAL(std::string("not_found"), missing.errorCode());

		auto wrongMethod = client.request("DELETE", "/hello");
		CPPUNIT_ASSERT_EQUAL(405, wrongMethod.status);
		CPPUNIT_ASSERT_EQUAL(std::string("GET"), wrongMethod.header("Allow"));
		CPPUNIT_ASSERT_EQUAL(std::string("method_not_allowed"), wrongMethod.errorCode());

		auto teapot = client.get("/hello/teapot");
		CPPUNIT_ASSERT_EQUAL(418, teapot.status);
		auto error = teapot.json()->getObject("error");
		CPPUNIT_ASSERT_EQUAL(std::string("teapot"), error->getValue<std::string>("code"));
		CPPUNIT_ASSERT_EQUAL(std::string("short and stout"), error->getValue<std::string>("message"));
		CPPUNIT_ASSERT_EQUAL(std::string("spout"), error->getValue<std::string>("field"));

		auto unsupported = client.request("POST", "/hello/echo", "text=hi", "text/plain");
		CPPUNIT_ASSERT_EQUAL(415, unsupported.status);
		auto badJson = client.postJson("/hello/echo", "{\"text\":");
		CPPUNIT_ASSERT_EQUAL(400, badJson.status);
		auto echoed = client.postForm("/hello/echo", {{"message[text]", "hola"}});
		CPPUNIT_ASSERT_EQUAL(200, echoed.status);
		CPPUNIT_ASSERT_EQUAL(std::string("hola"), echoed.json()->getValue<std::string>("nested"));
	}

	void handlerExceptionIsA500AndServingGoesOn()
	{
		TestServer server(options());
		server.start();
		HttpClient client(server.httpPort());
		auto boom = client.get("/hello/boom");
		CPPUNIT_ASSERT_EQUAL(500, boom.status);
		CPPUNIT_ASSERT_EQUAL(std::string("internal_error"), boom.errorCode());
		CPPUNIT_ASSERT(boom.body.find("secret") == std::string::npos);
		CPPUNIT_ASSERT_EQUAL(200, client.get("/hello").status);
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForOutput("secret internal detail"));
	}

	void refusesTooLargeBody()
	{
		TestServer server(options());
		server.start();
		HttpClient client(server.httpPort());
		auto big = client.postJson("/hello/echo", "{\"text\": \"" + std::string(2000, 'x') + "\"}");
		CPPUNIT_ASSERT_EQUAL(413, big.status);
		CPPUNIT_ASSERT_EQUAL(std::string("payload_too_large"), big.errorCode());
		HttpClient again(server.httpPort());
		CPPUNIT_ASSERT_EQUAL(200, again.postJson("/hello/echo", "{\"text\": \"small\"}").status);
	}

	void disabledPluginIsGone()
	{
		auto opts = options();
		opts.arguments.push_back("--hello.enabled=false");
		TestServer server(opts);
		server.start();
		HttpClient client(server.httpPort());
		CPPUNIT_ASSERT_EQUAL(404, client.get("/hello").status);
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), client.get("/health").json()->getArray("plugins")->size());
	}

	void eventsReachSubscribers()
	{
		TestServer server(options());
		server.start();
		HttpClient client(server.httpPort());
		client.request("POST", "/hello/publish");
		auto second = client.request("POST", "/hello/publish");
		CPPUNIT_ASSERT_EQUAL(2, second.json()->getValue<int>("received"));
	}

	void metricsCountRequests()
	{
		TestServer server(options());
		server.start();
		HttpClient client(server.httpPort());
		client.get("/hello");
		client.get("/hello");
		auto metrics = client.get("/metrics");
		CPPUNIT_ASSERT_EQUAL(200, metrics.status);
		CPPUNIT_ASSERT(metrics.body.find("palaver_http_requests_total{method=\"GET\",route=\"/hello\",status=\"200\"} 2") != std::string::npos);
		CPPUNIT_ASSERT(metrics.body.find("palaver_hello_greetings_total 2") != std::string::npos);
	}

	void checkConfigNamesMissingLibrary()
	{
		TestServer fine(options());
		std::string output;
		CPPUNIT_ASSERT_EQUAL(0, fine.runOnce({"--check-config"}, output));
		CPPUNIT_ASSERT(output.find("hello 1.2.3") != std::string::npos);

		writeFile("20-ghost.ini", "[ghost]\nlibrary = palaver-ghost\nenabled = true\n");
		TestServer broken(options());
		CPPUNIT_ASSERT(broken.runOnce({"--check-config"}, output) != 0);
		CPPUNIT_ASSERT_EQUAL(1, lineCount(output));
		CPPUNIT_ASSERT(output.find("ghost") != std::string::npos);
		CPPUNIT_ASSERT(output.find("palaver-ghost.so") != std::string::npos);
	}

	void refusalsAreOneLine()
	{
		struct Case { const char* file; const char* text; const char* expected; };
		const Case cases[] = {
			{"30-w.ini", nullptr, "plugin API 99"},
			{"30-n.ini", nullptr, "needs plugin 'nonexistent'"},
			{"30-t.ini", nullptr, "failed to initialise: "},
			{"30-m.ini", "[broken\nlibrary = x\n", "30-m.ini:1"},
		};
		const char* plugins[] = {"wrongapi", "needsmissing", "throwsoninit", nullptr};
		for (int i = 0; i < 4; ++i)
		{
			if (plugins[i]) writePlugin(cases[i].file, plugins[i], "");
			else writeFile(cases[i].file, cases[i].text);
			auto opts = options();
			opts.waitUntilHealthy = false;
			TestServer server(opts);
			std::string output;
			CPPUNIT_ASSERT_MESSAGE(cases[i].expected, server.runOnce({}, output) != 0);
			CPPUNIT_ASSERT_MESSAGE(output, output.find(cases[i].expected) != std::string::npos);
			CPPUNIT_ASSERT_MESSAGE(output, countOf(output, "[Fatal]") == 1);
			Poco::File(_pluginsDir + "/" + cases[i].file).remove();
		}
		writePlugin("30-a.ini", "cyclea", "");
		writePlugin("31-b.ini", "cycleb", "");
		TestServer cycle(options());
		std::string output;
		CPPUNIT_ASSERT(cycle.runOnce({}, output) != 0);
		CPPUNIT_ASSERT_MESSAGE(output, output.find("dependency cycle") != std::string::npos);
	}

	void declaredSettingsAreChecked()
	{
		// The hello fixture declares greeting (string) and max_name (integer 1..1000).
		writePlugin("10-hello.ini", "hello", "max_name = 0\n");
		TestServer bad(options());
		std::string output;
		CPPUNIT_ASSERT_EQUAL(1, bad.runOnce({"--check-config"}, output));
		CPPUNIT_ASSERT_EQUAL_MESSAGE(output, 1, lineCount(output));
		CPPUNIT_ASSERT_MESSAGE(output, output.find("[Fatal] palaver.core: [hello] max_name = 0: must be an integer from 1 to 1000") != std::string::npos);
		auto refused = options();
		refused.waitUntilHealthy = false;
		TestServer start(refused);
		CPPUNIT_ASSERT(start.runOnce({}, output) != 0);
		CPPUNIT_ASSERT_MESSAGE(output, output.find("[hello] max_name = 0: must be an integer") != std::string::npos);

		// An unknown key is a warning; the declared defaults apply.
		writePlugin("10-hello.ini", "hello", "greting = hi\n");
		TestServer typo(options());
		CPPUNIT_ASSERT_EQUAL(0, typo.runOnce({"--check-config"}, output));
		CPPUNIT_ASSERT_MESSAGE(output, output.find("[Warning] palaver.core: [hello] greting: unknown key") != std::string::npos);
		typo.start();
		HttpClient client(typo.httpPort());
		CPPUNIT_ASSERT_EQUAL(std::string("hello"), client.get("/hello").json()->getValue<std::string>("greeting"));
		CPPUNIT_ASSERT_EQUAL(200, client.get("/hello/" + std::string(64, 'n')).status);
		CPPUNIT_ASSERT_EQUAL(400, client.get("/hello/" + std::string(65, 'n')).status);
	}

	void palaverctlPrintsDeclaredSettings()
	{
		writePlugin("10-hello.ini", "hello", "greeting = hi\n");
		TestServer server(options());
		server.start();
		std::string output;
		CPPUNIT_ASSERT_EQUAL(0, server.palaverctl({"plugins", "config", "hello"}, output));
		CPPUNIT_ASSERT_EQUAL(std::string(
			"greeting = hi  (string, default hello): what GET /hello answers; re-read on SIGHUP\n"
			"max_name = 64  (integer 1..1000, default 64): longest name GET /hello/{name} echoes, in bytes\n"), output);
		CPPUNIT_ASSERT_EQUAL(1, server.palaverctl({"plugins", "config", "ghost"}, output));
		CPPUNIT_ASSERT_MESSAGE(output, output.find("no plugin 'ghost' is running") != std::string::npos);
	}

	void sighupReloadsConfiguration()
	{
		TestServer server(options());
		server.start();
		HttpClient client(server.httpPort());
		CPPUNIT_ASSERT_EQUAL(std::string("hi"), client.get("/hello").json()->getValue<std::string>("greeting"));
		writePlugin("10-hello.ini", "hello", "greeting = bonjour\n");
		::kill(server.pid(), SIGHUP);
		const Poco::Timestamp started;
		std::string greeting;
		while (started.elapsed() < 5 * Poco::Timestamp::resolution())
		{
			greeting = HttpClient(server.httpPort()).get("/hello").json()->getValue<std::string>("greeting");
			if (greeting == "bonjour") break;
			Poco::Thread::sleep(20);
		}
		CPPUNIT_ASSERT_EQUAL(std::string("bonjour"), greeting);
		CPPUNIT_ASSERT(server.running());
	}

	void sigtermStopsCleanly()
	{
		TestServer server(options());
		server.start();
		CPPUNIT_ASSERT_EQUAL(0, server.stop());
		CPPUNIT_ASSERT(server.output().find("stopped") != std::string::npos);
	}

private:
	TestServer::Options options() const
	{
		TestServer::Options opts;
		opts.pluginsConfigDir = _pluginsDir;
		return opts;
	}

	void writePlugin(const std::string& file, const std::string& name, const std::string& settings)
	{
		writeFile(file, "[" + name + "]\nlibrary = " FIXTURE_DIR "/palaver-" + name + ".so\nenabled = true\n" + settings);
	}


	void writeFile(const std::string& file, const std::string& text)
	{
		Poco::FileOutputStream out(_pluginsDir + "/" + file);
		out << text;
	}

	static int lineCount(const std::string& text)
	{
		return countOf(text, "\n") + (!text.empty() && text.back() != '\n' ? 1 : 0);
	}

	static int countOf(const std::string& text, const std::string& what)
	{
		int count = 0;
		for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
		return count;
	}

	std::string _pluginsDir;
};

CPPUNIT_TEST_SUITE_REGISTRATION(DaemonTest);
