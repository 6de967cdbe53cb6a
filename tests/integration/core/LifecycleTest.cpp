// Plugins at run time: [plugins] on_failure = skip at start-up, and
// palaverctl plugins enable | disable | reload on the running palaverd, with
// fixture plugins (tests/fixtures/LifecyclePlugin.cpp, EchoWsPlugin.cpp).
#include "HttpClient.h"
#include "TestServer.h"
#include "WsClient.h"
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/TemporaryFile.h>
#include <Poco/Thread.h>
#include <cppunit/extensions/HelperMacros.h>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

using namespace Palaver::Testing;

class LifecycleTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(LifecycleTest);
	CPPUNIT_TEST(skipLeavesOutBrokenPluginsAndTheirDependants);
	CPPUNIT_TEST(unknownOnFailureIsRefused);
	CPPUNIT_TEST(enableAndDisableAtRunTime);
	CPPUNIT_TEST(reloadSwapsVersionKeepingConnections);
	CPPUNIT_TEST(failedReloadKeepsTheRunningVersion);
	CPPUNIT_TEST(disableOfANeededPluginIsRefused);
	CPPUNIT_TEST(pluginsThatCannotStopAreRefused);
	CPPUNIT_TEST(reloadOfAWebSocketPluginKeepsItsConnections);
	CPPUNIT_TEST(disableOfAWebSocketPluginClosesItsConnections);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		_dir = Poco::TemporaryFile::tempName();
		Poco::File(_dir + "/plugins.d").createDirectories();
		// For palaverctl, which edits plugins.d; palaverd gets the folder on its command line.
		write("palaver.ini", "[plugins]\nconfig_dir = " + _dir + "/plugins.d\n");
		installVersion("lifecycle-v1");
	}

	void tearDown() override
	{
		Poco::File(_dir).remove(true);
	}

	void skipLeavesOutBrokenPluginsAndTheirDependants()
	{
		declare("10-hello.ini", "hello", fixture("hello"), "");
		declare("20-t.ini", "throwsoninit", fixture("throwsoninit"), "");
		declare("21-n.ini", "needsbroken", fixture("needsbroken"), "");
		declare("22-w.ini", "wrongapi", fixture("wrongapi"), "");
		TestServer server(options({"--plugins.on_failure=skip"}));
		server.start();
		HttpClient client(server.httpPort());
		auto health = client.get("/health");
		CPPUNIT_ASSERT_EQUAL(200, health.status);
		auto plugins = health.json()->getArray("plugins");
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), plugins->size());
		CPPUNIT_ASSERT_EQUAL(std::string("hello"), plugins->getObject(0)->getValue<std::string>("name"));
		auto skipped = health.json()->getArray("skipped");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(health.body, std::size_t(3), skipped->size());
		CPPUNIT_ASSERT(reasonOf(skipped, "throwsoninit").find("failed to initialise: ") != std::string::npos);
		CPPUNIT_ASSERT(reasonOf(skipped, "needsbroken").find("needs plugin 'throwsoninit', which is not running") != std::string::npos);
		CPPUNIT_ASSERT(reasonOf(skipped, "wrongapi").find("plugin API 99") != std::string::npos);
		CPPUNIT_ASSERT_EQUAL(200, client.get("/hello").status);
		// One log line each, saying which and why.
		// (The output is read by another thread: wait for all three lines.)
		for (int attempt = 0; attempt < 100 && countOf(server.output(), "left out") < 3; ++attempt)
			Poco::Thread::sleep(50);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(server.output(), 3, countOf(server.output(), "left out"));
	}

	void unknownOnFailureIsRefused()
	{
		declare("10-hello.ini", "hello", fixture("hello"), "");
		TestServer::Options opts = options({"--plugins.on_failure=maybe"});
		opts.waitUntilHealthy = false;
		TestServer server(opts);
		std::string output;
		CPPUNIT_ASSERT(server.runOnce({}, output) != 0);
		CPPUNIT_ASSERT_MESSAGE(output, output.find("on_failure") != std::string::npos);
	}

	void enableAndDisableAtRunTime()
	{
		declare("10-hello.ini", "hello", fixture("hello"), "");
		declare("20-lifecycle.ini", "lifecycle", _dir + "/palaver-lifecycle.so", "enabled = false\nsetting = one\n");
		TestServer server(options());
		server.start();
		Poco::Net::HTTPClientSession keptAlive("127.0.0.1", server.httpPort());
		CPPUNIT_ASSERT_EQUAL(200, statusOn(keptAlive, "/hello"));
		const auto localPort = keptAlive.socket().address().port();
		HttpClient client(server.httpPort());
		CPPUNIT_ASSERT_EQUAL(404, client.get("/lifecycle").status);

		std::string output;
		CPPUNIT_ASSERT_EQUAL_MESSAGE(output, 0, ctl(server, {"plugins", "enable", "lifecycle"}, output));
		CPPUNIT_ASSERT_MESSAGE(output, output.find("enabled in") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(output, output.find("the running palaverd: plugin 'lifecycle' 1 started") != std::string::npos);
		auto enabled = client.get("/lifecycle");
		CPPUNIT_ASSERT_EQUAL(200, enabled.status);
		CPPUNIT_ASSERT_EQUAL(std::string("one"), enabled.json()->getValue<std::string>("setting"));
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), client.get("/health").json()->getArray("plugins")->size());

		CPPUNIT_ASSERT_EQUAL_MESSAGE(output, 0, ctl(server, {"plugins", "disable", "lifecycle"}, output));
		CPPUNIT_ASSERT_MESSAGE(output, output.find("stopped and unloaded") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(output, output.find("disabled in") != std::string::npos);
		CPPUNIT_ASSERT_EQUAL(404, client.get("/lifecycle").status);
		CPPUNIT_ASSERT_EQUAL(404, client.postJson("/lifecycle/ping", "{}").status);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), client.get("/health").json()->getArray("plugins")->size());

		// Enabled again: a fresh instance of the library that was unloaded.
		CPPUNIT_ASSERT_EQUAL_MESSAGE(output, 0, ctl(server, {"plugins", "enable", "lifecycle"}, output));
		CPPUNIT_ASSERT_EQUAL(1, client.get("/lifecycle").json()->getValue<int>("starts"));

		// The keep-alive connection opened before is the one that still answers.
		CPPUNIT_ASSERT_EQUAL(200, statusOn(keptAlive, "/hello"));
		CPPUNIT_ASSERT_EQUAL(localPort, keptAlive.socket().address().port());
		CPPUNIT_ASSERT(server.running());
	}

	void reloadSwapsVersionKeepingConnections()
	{
		declare("10-echows.ini", "echows", fixture("echows"), "");
		declare("20-lifecycle.ini", "lifecycle", _dir + "/palaver-lifecycle.so", "setting = one\n");
		declare("30-user.ini", "lifecycleuser", fixture("lifecycleuser"), "");
		TestServer server(options());
		server.start();
		HttpClient client(server.httpPort());
		CPPUNIT_ASSERT_EQUAL(std::string("1"), client.get("/lifecycleuser").json()->getValue<std::string>("service"));
		CPPUNIT_ASSERT_EQUAL(204, client.get("/lifecycle/only/1").status);

		const int CLIENTS = 200;
		std::vector<std::unique_ptr<WsClient>> sockets;
		for (int i = 0; i < CLIENTS; ++i) sockets.push_back(std::make_unique<WsClient>(server.httpPort(), "/echows"));

		installVersion("lifecycle-v2");
		declare("20-lifecycle.ini", "lifecycle", _dir + "/palaver-lifecycle.so", "setting = two\n");
		std::string output;
		CPPUNIT_ASSERT_EQUAL_MESSAGE(output, 0, ctl(server, {"plugins", "reload", "lifecycle"}, output));
		CPPUNIT_ASSERT_MESSAGE(output, output.find("plugin 'lifecycle' reloaded (1 -> 2)") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(output, output.find("plugin 'lifecycleuser' restarted") != std::string::npos);

		auto reloaded = client.get("/lifecycle");
		CPPUNIT_ASSERT_EQUAL(200, reloaded.status);
		CPPUNIT_ASSERT_EQUAL(std::string("2"), reloaded.json()->getValue<std::string>("version"));
		CPPUNIT_ASSERT_EQUAL(std::string("two"), reloaded.json()->getValue<std::string>("setting"));
		CPPUNIT_ASSERT_EQUAL(2, reloaded.json()->getValue<int>("starts"));  // 1 handed over by saveState
		CPPUNIT_ASSERT_EQUAL(404, client.get("/lifecycle/only/1").status);
		CPPUNIT_ASSERT_EQUAL(204, client.get("/lifecycle/only/2").status);
		CPPUNIT_ASSERT_EQUAL(204, client.postJson("/lifecycle/ping", "{}").status);
		CPPUNIT_ASSERT_EQUAL(1, client.get("/lifecycle").json()->getValue<int>("events"));
		// The dependant was restarted after it, with its state, on the new service.
		auto user = client.get("/lifecycleuser");
		CPPUNIT_ASSERT_EQUAL(std::string("2"), user.json()->getValue<std::string>("service"));
		CPPUNIT_ASSERT_EQUAL(2, user.json()->getValue<int>("starts"));
		auto plugins = client.get("/health").json()->getArray("plugins");
		CPPUNIT_ASSERT_EQUAL(std::string("lifecycle"), plugins->getObject(1)->getValue<std::string>("name"));
		CPPUNIT_ASSERT_EQUAL(std::string("lifecycleuser"), plugins->getObject(2)->getValue<std::string>("name"));

		// None of the WebSocket connections was dropped.
		for (int i = 0; i < CLIENTS; ++i)
		{
			sockets[i]->sendText("n" + std::to_string(i));
			CPPUNIT_ASSERT_EQUAL(std::string("n" + std::to_string(i)), sockets[i]->receiveJson()->getValue<std::string>("echo"));
		}
	}

	void failedReloadKeepsTheRunningVersion()
	{
		declare("20-lifecycle.ini", "lifecycle", _dir + "/palaver-lifecycle.so", "");
		TestServer server(options());
		server.start();
		HttpClient client(server.httpPort());
		std::string output;

		// Refused from its ABI record: nothing stopped.
		installVersion("wrongapi");
		CPPUNIT_ASSERT(ctl(server, {"plugins", "reload", "lifecycle"}, output) != 0);
		CPPUNIT_ASSERT_MESSAGE(output, output.find("plugin API 99") != std::string::npos);
		CPPUNIT_ASSERT_EQUAL(1, client.get("/lifecycle").json()->getValue<int>("starts"));

		// Fails in initialize(): the previous version runs again, with its state.
		installVersion("lifecycle-broken");
		CPPUNIT_ASSERT(ctl(server, {"plugins", "reload", "lifecycle"}, output) != 0);
		CPPUNIT_ASSERT_MESSAGE(output, output.find("the new version failed, the previous one runs again") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(output, output.find("refuses to initialise") != std::string::npos);
		auto old = client.get("/lifecycle");
		CPPUNIT_ASSERT_EQUAL(200, old.status);
		CPPUNIT_ASSERT_EQUAL(std::string("1"), old.json()->getValue<std::string>("version"));
		CPPUNIT_ASSERT_EQUAL(2, old.json()->getValue<int>("starts"));
		// What the failed version registered before it threw is gone.
		CPPUNIT_ASSERT_EQUAL(404, client.get("/lifecycle/broken").status);

		// And a good version after that loads.
		installVersion("lifecycle-v2");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(output, 0, ctl(server, {"plugins", "reload", "lifecycle"}, output));
		CPPUNIT_ASSERT_EQUAL(std::string("2"), client.get("/lifecycle").json()->getValue<std::string>("version"));
	}

	void disableOfANeededPluginIsRefused()
	{
		declare("20-lifecycle.ini", "lifecycle", _dir + "/palaver-lifecycle.so", "");
		declare("30-user.ini", "lifecycleuser", fixture("lifecycleuser"), "");
		TestServer server(options());
		server.start();
		HttpClient client(server.httpPort());
		std::string output;
		CPPUNIT_ASSERT(ctl(server, {"plugins", "disable", "lifecycle"}, output) != 0);
		CPPUNIT_ASSERT_MESSAGE(output, output.find("is needed by lifecycleuser") != std::string::npos);
		CPPUNIT_ASSERT_EQUAL(200, client.get("/lifecycle").status);
		// The file still enables it: the next start runs what runs now.
		CPPUNIT_ASSERT_EQUAL(0, ctl(server, {"plugins", "list"}, output));
		CPPUNIT_ASSERT_MESSAGE(output, output.find("disabled") == std::string::npos);

		// In order: the dependant first, then what it needs.
		CPPUNIT_ASSERT_EQUAL_MESSAGE(output, 0, ctl(server, {"plugins", "disable", "lifecycleuser"}, output));
		CPPUNIT_ASSERT_EQUAL_MESSAGE(output, 0, ctl(server, {"plugins", "disable", "lifecycle"}, output));
		CPPUNIT_ASSERT_EQUAL(404, client.get("/lifecycle").status);
		// Enabling the dependant alone is refused: what it needs does not run.
		CPPUNIT_ASSERT(ctl(server, {"plugins", "enable", "lifecycleuser"}, output) != 0);
		CPPUNIT_ASSERT_MESSAGE(output, output.find("needs plugin 'lifecycle', which is not running") != std::string::npos);
		CPPUNIT_ASSERT_EQUAL(0, ctl(server, {"plugins", "list"}, output));
		CPPUNIT_ASSERT_EQUAL_MESSAGE(output, 2, countOf(output, "disabled"));
	}

	void pluginsThatCannotStopAreRefused()
	{
		declare("10-hello.ini", "hello", fixture("hello"), "");
		TestServer server(options());
		server.start();
		std::string output;
		CPPUNIT_ASSERT(ctl(server, {"plugins", "reload", "hello"}, output) != 0);
		CPPUNIT_ASSERT_MESSAGE(output, output.find("not reloadable") != std::string::npos);
		HttpClient client(server.httpPort());
		CPPUNIT_ASSERT_EQUAL(200, client.get("/hello").status);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), client.get("/health").json()->getArray("plugins")->size());
	}

	void reloadOfAWebSocketPluginKeepsItsConnections()
	{
		installVersion("echows", "echows");
		declare("10-echows.ini", "echows", _dir + "/palaver-echows.so", "");
		TestServer server(options());
		server.start();
		const int CLIENTS = 200;
		std::vector<std::unique_ptr<WsClient>> sockets;
		for (int i = 0; i < CLIENTS; ++i)
		{
			sockets.push_back(std::make_unique<WsClient>(server.httpPort(), "/echows"));
			sockets[i]->sendText("a" + std::to_string(i));
			auto echo = sockets[i]->receiveJson();
			CPPUNIT_ASSERT_EQUAL(std::string("1"), echo->getValue<std::string>("version"));
		}

		// Reloaded to version 2 while the clients send: version 1's stop()
		// takes 300 ms, during which upgrades are refused and messages held.
		installVersion("echows-v2", "echows");
		std::string output;
		int status = -1;
		std::thread reload([&] { status = ctl(server, {"plugins", "reload", "echows"}, output); });
		std::string refusal;
		for (int attempt = 0; attempt < 500 && refusal.empty(); ++attempt)
		{
			refusal = refusedUpgrade(server.httpPort(), "/echows");
			if (refusal.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
		}
		for (int i = 0; i < CLIENTS; ++i) sockets[i]->sendText("b" + std::to_string(i));
		reload.join();
		CPPUNIT_ASSERT_EQUAL_MESSAGE(output, 0, status);
		CPPUNIT_ASSERT_MESSAGE(output, output.find("plugin 'echows' reloaded (1 -> 2)") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(refusal, refusal.find("503") == 0);
		CPPUNIT_ASSERT_MESSAGE(refusal, refusal.find("plugin_unavailable") != std::string::npos);

		// None was dropped; what was sent while it stopped is answered by the
		// next version, from the context it rebuilt in onResume().
		for (int i = 0; i < CLIENTS; ++i)
		{
			auto held = sockets[i]->receiveJson();
			CPPUNIT_ASSERT_EQUAL(std::string("b" + std::to_string(i)), held->getValue<std::string>("echo"));
			CPPUNIT_ASSERT_EQUAL(std::string("2"), held->getValue<std::string>("version"));
			CPPUNIT_ASSERT(held->getValue<bool>("resumed"));
			CPPUNIT_ASSERT_EQUAL(1, held->getValue<int>("received"));
			sockets[i]->sendText("c" + std::to_string(i));
			auto after = sockets[i]->receiveJson();
			CPPUNIT_ASSERT_EQUAL(std::string("c" + std::to_string(i)), after->getValue<std::string>("echo"));
			CPPUNIT_ASSERT_EQUAL(2, after->getValue<int>("received"));
		}
		// A new connection is version 2's from the start.
		WsClient fresh(server.httpPort(), "/echows");
		fresh.sendText("d");
		auto echo = fresh.receiveJson();
		CPPUNIT_ASSERT_EQUAL(std::string("2"), echo->getValue<std::string>("version"));
		CPPUNIT_ASSERT(!echo->getValue<bool>("resumed"));

		// And back to version 1, whose library was unloaded: handed over again.
		installVersion("echows", "echows");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(output, 0, ctl(server, {"plugins", "reload", "echows"}, output));
		sockets[0]->sendText("e");
		auto again = sockets[0]->receiveJson();
		CPPUNIT_ASSERT_EQUAL(std::string("1"), again->getValue<std::string>("version"));
		CPPUNIT_ASSERT(again->getValue<bool>("resumed"));
		CPPUNIT_ASSERT(server.running());
	}

	void disableOfAWebSocketPluginClosesItsConnections()
	{
		declare("10-hello.ini", "hello", fixture("hello"), "");
		declare("10-echows.ini", "echows", fixture("echows"), "");
		TestServer server(options());
		server.start();
		WsClient socket(server.httpPort(), "/echows");
		std::string output;
		CPPUNIT_ASSERT_EQUAL_MESSAGE(output, 0, ctl(server, {"plugins", "disable", "echows"}, output));
		CPPUNIT_ASSERT_EQUAL(1001, socket.waitForClose());
		const std::string refusal = refusedUpgrade(server.httpPort(), "/echows");
		CPPUNIT_ASSERT_MESSAGE(refusal, refusal.find("503") == 0);
		CPPUNIT_ASSERT_MESSAGE(refusal, refusal.find("plugin_unavailable") != std::string::npos);
		HttpClient client(server.httpPort());
		CPPUNIT_ASSERT_EQUAL(200, client.get("/hello").status);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), client.get("/health").json()->getArray("plugins")->size());

		// Enabled again: the endpoint serves, from the plugin's fresh instance.
		CPPUNIT_ASSERT_EQUAL_MESSAGE(output, 0, ctl(server, {"plugins", "enable", "echows"}, output));
		WsClient again(server.httpPort(), "/echows");
		again.sendText("x");
		CPPUNIT_ASSERT_EQUAL(std::string("x"), again.receiveJson()->getValue<std::string>("echo"));
	}

private:
	TestServer::Options options(std::vector<std::string> arguments = {}) const
	{
		TestServer::Options opts;
		opts.pluginsConfigDir = _dir + "/plugins.d";
		opts.arguments = std::move(arguments);
		return opts;
	}

	static std::string fixture(const std::string& name)
	{
		return FIXTURE_DIR "/palaver-" + name + ".so";
	}

	// Puts a build of the fixture where 20-lifecycle.ini points, as a package
	// upgrade does: a new file renamed over the old one.
	void installVersion(const std::string& build, const std::string& name = "lifecycle")
	{
		const std::string target = _dir + "/palaver-" + name + ".so";
		Poco::File(fixture(build)).copyTo(target + ".new");
		Poco::File(target + ".new").renameTo(target);
	}

	void declare(const std::string& file, const std::string& name, const std::string& library, const std::string& settings)
	{
		write("plugins.d/" + file, "[" + name + "]\nlibrary = " + library + "\n" + settings);
	}

	void write(const std::string& file, const std::string& text)
	{
		Poco::FileOutputStream out(_dir + "/" + file);
		out << text;
	}

	int ctl(TestServer& server, std::vector<std::string> arguments, std::string& output)
	{
		arguments.insert(arguments.begin(), "--config=" + _dir + "/palaver.ini");
		return server.palaverctl(arguments, output);
	}

	static int statusOn(Poco::Net::HTTPClientSession& session, const std::string& path)
	{
		Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, path, Poco::Net::HTTPMessage::HTTP_1_1);
		request.setKeepAlive(true);
		session.setKeepAlive(true);
		session.sendRequest(request);
		Poco::Net::HTTPResponse response;
		std::string body;
		Poco::StreamCopier::copyToString(session.receiveResponse(response), body);
		return response.getStatus();
	}

	/// "" when an upgrade of path is accepted (101), else the status and the body of its refusal.
	static std::string refusedUpgrade(Poco::UInt16 port, const std::string& path)
	{
		Poco::Net::HTTPClientSession session("127.0.0.1", port);
		Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, path, Poco::Net::HTTPMessage::HTTP_1_1);
		request.set("Upgrade", "websocket");
		request.set("Connection", "Upgrade");
		request.set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
		request.set("Sec-WebSocket-Version", "13");
		session.setKeepAlive(true);  // else the session makes it "Connection: close"
		session.sendRequest(request);
		Poco::Net::HTTPResponse response;
		std::istream& body = session.receiveResponse(response);
		if (response.getStatus() == Poco::Net::HTTPResponse::HTTP_SWITCHING_PROTOCOLS) return "";
		std::string text;
		Poco::StreamCopier::copyToString(body, text);
		return std::to_string(response.getStatus()) + " " + text;
	}

	static std::string reasonOf(const Poco::JSON::Array::Ptr& skipped, const std::string& name)
	{
		for (std::size_t i = 0; i < skipped->size(); ++i)
		{
			auto entry = skipped->getObject(static_cast<unsigned>(i));
			if (entry->getValue<std::string>("name") == name) return entry->getValue<std::string>("reason");
		}
		return "(not skipped)";
	}

	static int countOf(const std::string& text, const std::string& what)
	{
		int count = 0;
		for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
		return count;
	}

	std::string _dir;
};

CPPUNIT_TEST_SUITE_REGISTRATION(LifecycleTest);
