// What the core checks before a request means anything (issues 13 and 21):
// whose origin is the server's own on both listeners, which Host names the
// server answers to (DNS rebinding), malformed escapes, and who may read
// /metrics. Runs palaverd with the default configuration (config/palaver.ini
// and plugins.d/) on free loopback ports.
#include "WsTestSupport.h"
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <cppunit/extensions/HelperMacros.h>
#include <algorithm>

using namespace Palaver::Testing;

namespace {

TestServer& server()
{
	static std::unique_ptr<TestServer> instance = []
	{
		auto s = std::make_unique<TestServer>();
		s->start();
		return s;
	}();
	return *instance;
}

/// Sends bytes as one request on a new connection (to port, default: the
/// suite's server); returns the answer's status.
int rawStatus(const std::string& request, Poco::UInt16 port = 0)
{
	Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", port ? port : server().httpPort()));
	socket.setReceiveTimeout(Poco::Timespan(5, 0));
	socket.sendBytes(request.data(), static_cast<int>(request.size()));
	char buffer[1024];
	const int n = socket.receiveBytes(buffer, sizeof(buffer));
	const std::string answer(buffer, static_cast<std::size_t>(std::max(n, 0)));
	return answer.compare(0, 9, "HTTP/1.1 ") == 0 ? std::stoi(answer.substr(9, 3)) : 0;
}

std::size_t occurrences(const std::string& text, const std::string& part)
{
	std::size_t count = 0;
	for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
	return count;
}

int wsHandshake(Poco::UInt16 port, const std::string& target, const std::string& extraHeaders)
{
	RawWs raw(port);
	return raw.handshake(target, extraHeaders);
}

} // namespace

class ScreeningTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ScreeningTest);
	CPPUNIT_TEST(testHttpListenerOriginOnWsPort);
	CPPUNIT_TEST(testPublicUrlOrigin);
	CPPUNIT_TEST(testMalformedEscapes);
	CPPUNIT_TEST(testDnsRebinding);
	CPPUNIT_TEST(testMetricsAccess);
	CPPUNIT_TEST(testUnknownMethodsOneLabel);
	CPPUNIT_TEST_SUITE_END();

public:
	void testHttpListenerOriginOnWsPort()
	{
		// The seed's topology: a page from port 8080 opens ws://127.0.0.1:9000/.
		Account a = registerAccount(server(), "seedpage");
		const std::string target = "/?token=" + HttpClient::encode(a.token);
		const std::string http = std::to_string(server().httpPort());
		CPPUNIT_ASSERT_EQUAL(101, wsHandshake(server().wsPort(), target, "Origin: http://127.0.0.1:" + http + "\r\n"));
		CPPUNIT_ASSERT_EQUAL(101, wsHandshake(server().wsPort(), target, "Origin: http://localhost:" + http + "\r\n"));
		CPPUNIT_ASSERT_EQUAL(101, wsHandshake(server().httpPort(), "/ws" + target.substr(1), "Origin: http://127.0.0.1:" + http + "\r\n"));
		// Foreign origins stay refused, another port of the same host too.
		CPPUNIT_ASSERT_EQUAL(403, wsHandshake(server().wsPort(), target, "Origin: http://evil.example\r\n"));
		CPPUNIT_ASSERT_EQUAL(403, wsHandshake(server().wsPort(), target, "Origin: http://127.0.0.1:" + std::to_string(server().httpPort() + 1) + "\r\n"));
		CPPUNIT_ASSERT_EQUAL(403, wsHandshake(server().wsPort(), target, "Origin: https://127.0.0.1:" + http + ".evil.example\r\n"));
	}

	void testPublicUrlOrigin()
	{
		// Behind a proxy: the public URL is the server's own origin on both listeners.
		TestServer::Options options;
		options.arguments = {"--http.public_url=https://chat.example.org"};
		TestServer proxied(options);
		proxied.start();
		Account a = registerAccount(proxied, "proxied");
		const std::string target = "/?token=" + HttpClient::encode(a.token);
		CPPUNIT_ASSERT_EQUAL(101, wsHandshake(proxied.wsPort(), target, "Origin: https://chat.example.org\r\n"));
		CPPUNIT_ASSERT_EQUAL(403, wsHandshake(proxied.wsPort(), target, "Origin: https://chat.example.org.evil.example\r\n"));
		// Behind https the session cookie is __Host-palaver_session on both listeners.
		Poco::Net::NameValueCollection headers;
		headers.set("Origin", "https://chat.example.org");
		headers.set("Cookie", "__Host-palaver_session=" + a.token);
		WsClient socket(proxied.wsPort(), "/", headers);
		CPPUNIT_ASSERT_EQUAL(a.id, socket.receiveType("ready")->getValue<Poco::Int64>("userId"));
		HttpClient browser(proxied.httpPort());
		browser.setCookie("__Host-palaver_session=" + a.token);
		Poco::Net::NameValueCollection origin;
		origin.set("Origin", "https://chat.example.org");
		CPPUNIT_ASSERT_EQUAL(204, browser.request("POST", "/logout", "", "", origin).status);
	}

	void testMalformedEscapes()
	{
		Account a = registerAccount(server(), "escapes");
		HttpClient http(server().httpPort());
		http.setBearer(a.token);
		// A {param} of the router, a trailing * of the router, the query string.
		for (const std::string path: {"/img/%zz", "/img/%", "/assets/%zz.css", "/contacts/%4", "/messages/from/1?limit=%zz", "/messages/from/1?%=1"})
		{
			HttpReply reply = http.get(path);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(path, 400, reply.status);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(path, std::string("bad_request"), reply.errorCode());
		}
		// Form bodies: a urlencoded and a multipart one.
		HttpClient anonymous(server().httpPort());
		CPPUNIT_ASSERT_EQUAL(400, anonymous.request("POST", "/login", "username=%zz&password=x", "application/x-www-form-urlencoded").status);
		CPPUNIT_ASSERT_EQUAL(400, anonymous.request("POST", "/login", "--b\r\nnonsense", "multipart/form-data; boundary=b").status);
		// Cookies are not decoded: a garbled one is no session.
		HttpClient garbled(server().httpPort());
		garbled.setCookie("palaver_session=%zz; =; ;;%");
		CPPUNIT_ASSERT_EQUAL(401, garbled.get("/me").status);
		// Heads: a negative Content-Length.
		CPPUNIT_ASSERT_EQUAL(400, rawStatus("POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -1\r\n\r\n"));
		CPPUNIT_ASSERT_EQUAL(400, rawStatus("GET /img/%zz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
		// Nothing of it is an internal error, and it is logged once a minute per address.
		CPPUNIT_ASSERT(server().waitForOutput("malformed request from 127.0.0.1"));
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), occurrences(server().output(), "malformed request from"));
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), occurrences(server().output(), "Syntax error"));
	}

	void testDnsRebinding()
	{
		// A page of evil.example whose name now resolves to 127.0.0.1 sends its own host name.
		const std::string http = std::to_string(server().httpPort());
		CPPUNIT_ASSERT_EQUAL(421, rawStatus("GET /health HTTP/1.1\r\nHost: evil.example:" + http + "\r\n\r\n"));
		CPPUNIT_ASSERT_EQUAL(421, rawStatus("GET /me HTTP/1.1\r\nHost: localhost.evil.example\r\n\r\n"));
		RawWs ws(server().wsPort());
		ws.sendRaw("GET / HTTP/1.1\r\nHost: evil.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
			"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
		CPPUNIT_ASSERT_EQUAL(421, ws.readStatus());
		// The listener's address, localhost and IP addresses are the server's own names.
		for (const std::string& host: std::vector<std::string>{"127.0.0.1:" + http, "localhost:" + http, "LOCALHOST", "[::1]:" + http, "10.1.2.3"})
			CPPUNIT_ASSERT_EQUAL_MESSAGE(host, 200, rawStatus("GET /health HTTP/1.1\r\nHost: " + host + "\r\n\r\n"));
	}

	void testMetricsAccess()
	{
		// Default: loopback clients only.
		CPPUNIT_ASSERT_EQUAL(200, HttpClient(server().httpPort()).get("/metrics").status);
		// A client outside [metrics] allowed_addresses needs the token of [metrics].
		TestServer::Options options;
		options.arguments = {"--metrics.allowed_addresses=10.0.0.0/8, 2001:db8::/32", "--metrics.token=metrics-s3cret"};
		TestServer guarded(options);
		guarded.start();
		HttpClient outsider(guarded.httpPort());
		HttpReply refused = outsider.get("/metrics");
		CPPUNIT_ASSERT_EQUAL(403, refused.status);
		CPPUNIT_ASSERT_EQUAL(std::string("forbidden"), refused.errorCode());
		CPPUNIT_ASSERT(refused.body.find("palaver_") == std::string::npos);
		outsider.setBearer("metrics-s3cre");
		CPPUNIT_ASSERT_EQUAL(403, outsider.get("/metrics").status);
		outsider.setBearer("metrics-s3cret");
		HttpReply allowed = outsider.get("/metrics");
		CPPUNIT_ASSERT_EQUAL(200, allowed.status);
		CPPUNIT_ASSERT(allowed.body.find("palaver_http_requests_total") != std::string::npos);
	}

	void testUnknownMethodsOneLabel()
	{
		for (const std::string method: {"BREW", "XYZZY1", "XYZZY2"})
			rawStatus(method + " /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
		const std::string text = HttpClient(server().httpPort()).get("/metrics").body;
		CPPUNIT_ASSERT(text.find("method=\"BREW\"") == std::string::npos);
		CPPUNIT_ASSERT(text.find("method=\"XYZZY") == std::string::npos);
		CPPUNIT_ASSERT(text.find("palaver_http_requests_total{method=\"other\",route=\"unmatched\",status=\"405\"}") != std::string::npos);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(ScreeningTest);
