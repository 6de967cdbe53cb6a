// The web plugin in the real palaverd: the embedded client with its security
// headers and content types, ETag revalidation, 404s, and [web] root serving
// from disk without ever leaving that folder.
#include "HttpClient.h"
#include "TestServer.h"
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/TemporaryFile.h>
#include <Poco/Thread.h>
#include <Poco/Timestamp.h>
#include <cppunit/extensions/HelperMacros.h>
#include <signal.h>
#include <unistd.h>

using namespace Palaver::Testing;

namespace {

const std::string expectedCsp =
	"default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data: blob:; "
	"style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
	"form-action 'self'; object-src 'none'";

void writeFile(const std::string& path, const std::string& content)
{
	Poco::FileOutputStream out(path);
	out << content;
}

bool startsWith(const std::string& text, const std::string& prefix)
{
	return text.compare(0, prefix.size(), prefix) == 0;
}

} // namespace

class WebTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(WebTest);
	CPPUNIT_TEST(servesIndexWithSecurityHeaders);
	CPPUNIT_TEST(servesAssetsWithTheirContentTypes);
	CPPUNIT_TEST(clientNeedsNothingFromOutside);
	CPPUNIT_TEST(revalidatesWithEtag);
	CPPUNIT_TEST(unknownOrHiddenAssetsAre404);
	CPPUNIT_TEST(clientConfigNamesWebSocketUrl);
	CPPUNIT_TEST(rootServesFromDiskAndNeverLeavesIt);
	CPPUNIT_TEST(missingRootStopsStartUp);
	CPPUNIT_TEST(sighupSwitchesRootAndKeepsServingOnABadOne);
	CPPUNIT_TEST_SUITE_END();

public:
	static TestServer::Options options(const std::vector<std::string>& extra = {})
	{
		// The web plugin alone: it needs no other.
		TestServer::Options options;
		options.arguments = {"--web.enabled=true", "--auth.enabled=false", "--contacts.enabled=false",
			"--messages.enabled=false", "--ws.enabled=false"};
		options.arguments.insert(options.arguments.end(), extra.begin(), extra.end());
		return options;
	}

	void servesIndexWithSecurityHeaders()
	{
		TestServer server(options());
		server.start();
		HttpClient client(server.httpPort());
		auto reply = client.get("/");
		CPPUNIT_ASSERT_EQUAL(200, reply.status);
		CPPUNIT_ASSERT_EQUAL(std::string("text/html; charset=utf-8"), reply.header("Content-Type"));
		CPPUNIT_ASSERT_EQUAL(expectedCsp, reply.header("Content-Security-Policy"));
		CPPUNIT_ASSERT_EQUAL(std::string("nosniff"), reply.header("X-Content-Type-Options"));
		CPPUNIT_ASSERT_EQUAL(std::string("no-referrer"), reply.header("Referrer-Policy"));
		CPPUNIT_ASSERT_EQUAL(std::string("no-cache"), reply.header("Cache-Control"));
		CPPUNIT_ASSERT(startsWith(reply.header("ETag"), "\""));
		CPPUNIT_ASSERT(reply.body.find("<script type=\"module\" src=\"/assets/js/main.js\"></script>") != std::string::npos);
		// No inline script or style: the CSP would refuse them.
		CPPUNIT_ASSERT(reply.body.find("<script>") == std::string::npos);
		CPPUNIT_ASSERT(reply.body.find("<style") == std::string::npos);
		CPPUNIT_ASSERT(reply.body.find("style=") == std::string::npos);
	}

	void servesAssetsWithTheirContentTypes()
	{
		TestServer server(options());
		server.start();
		HttpClient client(server.httpPort());
		const std::vector<std::pair<std::string, std::string>> cases = {
			{"/assets/app.css", "text/css; charset=utf-8"},
			{"/assets/js/main.js", "text/javascript; charset=utf-8"},
			{"/assets/js/chat.js", "text/javascript; charset=utf-8"},
			{"/assets/favicon.svg", "image/svg+xml"},
			{"/favicon.ico", "image/svg+xml"},
		};
		for (const auto& item: cases)
		{
			auto reply = client.get(item.first);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(item.first, 200, reply.status);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(item.first, item.second, reply.header("Content-Type"));
			CPPUNIT_ASSERT_EQUAL_MESSAGE(item.first, expectedCsp, reply.header("Content-Security-Policy"));
			CPPUNIT_ASSERT_EQUAL_MESSAGE(item.first, std::string("nosniff"), reply.header("X-Content-Type-Options"));
			CPPUNIT_ASSERT_MESSAGE(item.first, !reply.body.empty());
		}
	}

	void clientNeedsNothingFromOutside()
	{
		TestServer server(options());
		server.start();
		HttpClient client(server.httpPort());
		for (const std::string path: {"/", "/assets/app.css", "/assets/js/main.js", "/assets/js/chat.js",
			"/assets/js/auth.js", "/assets/js/api.js", "/assets/js/socket.js", "/assets/js/dom.js", "/assets/js/format.js",
			"/assets/js/profile.js", "/assets/js/groups.js", "/assets/js/attachments.js", "/assets/attachments.css"})
		{
			auto reply = client.get(path);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(path, 200, reply.status);
			CPPUNIT_ASSERT_MESSAGE(path, reply.body.find("http://") == std::string::npos);
			CPPUNIT_ASSERT_MESSAGE(path, reply.body.find("https://") == std::string::npos);
			CPPUNIT_ASSERT_MESSAGE(path, reply.body.find("innerHTML") == std::string::npos);
		}
	}

	void revalidatesWithEtag()
	{
		TestServer server(options());
		server.start();
		HttpClient client(server.httpPort());
		auto first = client.get("/assets/app.css");
		const std::string etag = first.header("ETag");
		CPPUNIT_ASSERT(!etag.empty());
		Poco::Net::NameValueCollection headers;
		headers.set("If-None-Match", etag);
		auto again = client.request("GET", "/assets/app.css", "", "", headers);
		CPPUNIT_ASSERT_EQUAL(304, again.status);
		CPPUNIT_ASSERT(again.body.empty());
		CPPUNIT_ASSERT_EQUAL(etag, again.header("ETag"));
		headers.set("If-None-Match", "\"something-else\"");
		CPPUNIT_ASSERT_EQUAL(200, client.request("GET", "/assets/app.css", "", "", headers).status);
		// Another file has another tag.
		CPPUNIT_ASSERT(client.get("/assets/js/main.js").header("ETag") != etag);
	}

	void unknownOrHiddenAssetsAre404()
	{
		TestServer server(options());
		server.start();
		HttpClient client(server.httpPort());
		for (const std::string path: {"/assets/nope.js", "/assets/js/nope.js", "/assets/index.html", "/assets/../index.html",
			"/assets/..%2findex.html", "/assets/%2e%2e/index.html", "/assets/js/../app.css", "/assets//app.css",
			"/assets/app.css/", "/assets/.hidden", "/index.html.bak"})
		{
			auto reply = client.get(path);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(path, 404, reply.status);
			CPPUNIT_ASSERT_MESSAGE(path, startsWith(reply.header("Content-Type"), "application/json"));
		}
		CPPUNIT_ASSERT_EQUAL(std::string("not_found"), client.get("/assets/nope.js").errorCode());
	}

	void clientConfigNamesWebSocketUrl()
	{
		{
			TestServer server(options());
			server.start();
			auto reply = HttpClient(server.httpPort()).get("/config.json");
			CPPUNIT_ASSERT_EQUAL(200, reply.status);
			CPPUNIT_ASSERT_EQUAL(std::string(""), reply.json()->getValue<std::string>("websocketUrl"));
		}
		TestServer server(options({"--web.websocket_url=ws://127.0.0.1:9000/"}));
		server.start();
		auto reply = HttpClient(server.httpPort()).get("/config.json");
		CPPUNIT_ASSERT_EQUAL(std::string("ws://127.0.0.1:9000/"), reply.json()->getValue<std::string>("websocketUrl"));
	}

	void rootServesFromDiskAndNeverLeavesIt()
	{
		const std::string base = Poco::TemporaryFile::tempName();
		const std::string root = base + "/root";
		Poco::File(root + "/assets/sub").createDirectories();
		writeFile(base + "/secret.txt", "top secret");
		writeFile(root + "/index.html", "<p>from disk</p>");
		writeFile(root + "/assets/site.css", "p{}");
		writeFile(root + "/assets/sub/x.js", "export {};");
		writeFile(root + "/assets/.env", "KEY=1");
		CPPUNIT_ASSERT_EQUAL(0, ::symlink((base + "/secret.txt").c_str(), (root + "/assets/link.txt").c_str()));
		CPPUNIT_ASSERT_EQUAL(0, ::symlink(base.c_str(), (root + "/assets/up").c_str()));
		try
		{
			TestServer server(options({"--web.root=" + root}));
			server.start();
			HttpClient client(server.httpPort());
			auto index = client.get("/");
			CPPUNIT_ASSERT_EQUAL(200, index.status);
			CPPUNIT_ASSERT_EQUAL(std::string("<p>from disk</p>"), index.body);
			CPPUNIT_ASSERT_EQUAL(expectedCsp, index.header("Content-Security-Policy"));
			auto css = client.get("/assets/site.css");
			CPPUNIT_ASSERT_EQUAL(200, css.status);
			CPPUNIT_ASSERT_EQUAL(std::string("text/css; charset=utf-8"), css.header("Content-Type"));
			CPPUNIT_ASSERT_EQUAL(std::string("text/javascript; charset=utf-8"), client.get("/assets/sub/x.js").header("Content-Type"));
			// A change on disk is served at once (development).
			writeFile(root + "/assets/site.css", "p{color:red}");
			CPPUNIT_ASSERT_EQUAL(std::string("p{color:red}"), client.get("/assets/site.css").body);

			for (const std::string path: {"/assets/../../secret.txt", "/assets/..%2f..%2fsecret.txt", "/assets/%2e%2e/%2e%2e/secret.txt",
				"/assets/link.txt", "/assets/up/secret.txt", "/assets/.env", "/assets/sub", "/assets/%2fetc%2fpasswd",
				"/assets//etc/passwd", "/assets/sub/..%5c..%5c..%5csecret.txt"})
			{
				auto reply = client.get(path);
				CPPUNIT_ASSERT_EQUAL_MESSAGE(path, 404, reply.status);
				CPPUNIT_ASSERT_MESSAGE(path, reply.body.find("top secret") == std::string::npos);
			}
		}
		catch (...)
		{
			Poco::File(base).remove(true);
			throw;
		}
		Poco::File(base).remove(true);
	}

	void missingRootStopsStartUp()
	{
		TestServer server(options({"--web.root=/nonexistent/palaver-web-root"}));
		std::string output;
		const int code = server.runOnce({}, output);
		CPPUNIT_ASSERT(code != 0);
		CPPUNIT_ASSERT_MESSAGE(output, output.find("web") != std::string::npos);
	}

	void sighupSwitchesRootAndKeepsServingOnABadOne()
	{
		const std::string base = Poco::TemporaryFile::tempName();
		Poco::File(base + "/plugins.d").createDirectories();
		Poco::File(base + "/a").createDirectories();
		Poco::File(base + "/b").createDirectories();
		writeFile(base + "/a/index.html", "A");
		writeFile(base + "/b/index.html", "B");
		auto writeIni = [&base](const std::string& root)
		{
			writeFile(base + "/plugins.d/50-web.ini", "[web]\nlibrary = palaver-web\nenabled = true\nroot = " + root + "\n");
		};
		try
		{
			writeIni(base + "/a");
			TestServer::Options opts;
			opts.pluginsConfigDir = base + "/plugins.d";
			TestServer server(opts);
			server.start();
			CPPUNIT_ASSERT_EQUAL(std::string("A"), HttpClient(server.httpPort()).get("/").body);

			writeIni(base + "/b");
			::kill(server.pid(), SIGHUP);
			CPPUNIT_ASSERT_EQUAL(std::string("B"), pollIndex(server, "B"));

			// A root that does not exist is refused; the last good one keeps serving.
			writeIni(base + "/missing");
			::kill(server.pid(), SIGHUP);
			CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForOutput("configuration not applied"));
			CPPUNIT_ASSERT(server.running());
			CPPUNIT_ASSERT_EQUAL(std::string("B"), HttpClient(server.httpPort()).get("/").body);
		}
		catch (...)
		{
			Poco::File(base).remove(true);
			throw;
		}
		Poco::File(base).remove(true);
	}

private:
	static std::string pollIndex(TestServer& server, const std::string& expected)
	{
		const Poco::Timestamp started;
		std::string body;
		while (started.elapsed() < 5 * Poco::Timestamp::resolution())
		{
			body = HttpClient(server.httpPort()).get("/").body;
			if (body == expected) break;
			Poco::Thread::sleep(20);
		}
		return body;
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(WebTest);
