// The example real-time plugin (examples/live-counter) loaded into the real
// palaverd: its WebSocket endpoint on the HTTP port and on a port of its own,
// served by the core's connection layer (issue 13).
#include "HttpClient.h"
#include "TestServer.h"
#include "WsClient.h"
#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/WebSocket.h>
#include <Poco/TemporaryFile.h>
#include <Poco/Thread.h>
#include <Poco/Timestamp.h>
#include <cppunit/extensions/HelperMacros.h>
#include <atomic>
#include <memory>
#include <string>

using namespace Palaver::Testing;

namespace {

struct Account
{
	Poco::Int64 id = 0;
	std::string name;
	std::string token;
};

class LiveCounterServer
{
public:
	LiveCounterServer()
	{
		Poco::File(_plugins).createDirectories();
		{
			Poco::FileOutputStream auth(_plugins + "/10-auth.ini");
			auth << "[auth]\nlibrary = palaver-auth\nenabled = true\n";
			Poco::FileOutputStream counter(_plugins + "/60-livecounter.ini");
			counter << "[livecounter]\nlibrary = " EXAMPLES_DIR "/palaver-livecounter.so\nenabled = true\n"
				<< "port = " << counterPort << "\n";
		}
		TestServer::Options options;
		options.pluginsConfigDir = _plugins;
		server = std::make_unique<TestServer>(options);
		server->start();
	}

	~LiveCounterServer()
	{
		server.reset();
		Poco::File(_plugins).remove(true);
	}

	Account registerAccount(const std::string& prefix)
	{
		static std::atomic<int> counter{0};
		HttpClient http(server->httpPort());
		Account account;
		account.name = prefix + std::to_string(++counter);
		HttpReply reply = http.registerUser(account.name);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 201, reply.status);
		account.token = reply.json()->getValue<std::string>("token");
		account.id = reply.json()->getObject("user")->getValue<Poco::Int64>("id");
		return account;
	}

	/// On the HTTP port, by ?token.
	std::unique_ptr<WsClient> connect(const Account& account)
	{
		return std::make_unique<WsClient>(server->httpPort(), "/livecounter?token=" + HttpClient::encode(account.token));
	}

	/// The first line of the answer to a raw request on port.
	static std::string statusLine(Poco::UInt16 port, const std::string& request)
	{
		Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", port));
		socket.setReceiveTimeout(Poco::Timespan(5, 0));
		socket.sendBytes(request.data(), static_cast<int>(request.size()));
		std::string answer;
		char buffer[1024];
		while (answer.find("\r\n") == std::string::npos)
		{
			const int n = socket.receiveBytes(buffer, sizeof(buffer));
			if (n <= 0) break;
			answer.append(buffer, static_cast<std::size_t>(n));
		}
		return answer.substr(0, answer.find("\r\n"));
	}

	const Poco::UInt16 counterPort = TestServer::freePort();
	std::unique_ptr<TestServer> server;

private:
	const std::string _plugins = Poco::TemporaryFile::tempName();
};

LiveCounterServer& fixture()
{
	static LiveCounterServer instance;
	return instance;
}

std::string upgradeRequest(const std::string& target, const std::string& extraHeaders = "")
{
	return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n";
}

} // namespace

class LiveCounterTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(LiveCounterTest);
	CPPUNIT_TEST(testCountReachesEveryConnectionOnBothListeners);
	CPPUNIT_TEST(testConnectionKnowsItsUser);
	CPPUNIT_TEST(testRefusedUpgrades);
	CPPUNIT_TEST(testLimitsAndCloses);
	CPPUNIT_TEST(testLogoutClosesTheSessionsConnections);
	CPPUNIT_TEST_SUITE_END();

public:
	void testCountReachesEveryConnectionOnBothListeners()
	{
		LiveCounterServer& f = fixture();
		const Account ann = f.registerAccount("ann");
		const Account bob = f.registerAccount("bob");
		auto annSocket = f.connect(ann);
		Poco::Net::NameValueCollection bearer;
		bearer.set("Authorization", "Bearer " + bob.token);
		// The plugin's own listener: any path.
		auto bobSocket = std::make_unique<WsClient>(f.counterPort, "/any/path", bearer);
		const Poco::Int64 start = annSocket->receiveType("count")->getValue<Poco::Int64>("value");
		CPPUNIT_ASSERT_EQUAL(start, bobSocket->receiveType("count")->getValue<Poco::Int64>("value"));

		annSocket->sendText("add");
		for (WsClient* socket: {annSocket.get(), bobSocket.get()})
		{
			auto count = socket->receiveType("count");
			CPPUNIT_ASSERT_EQUAL(start + 1, count->getValue<Poco::Int64>("value"));
			CPPUNIT_ASSERT_EQUAL(ann.name, count->getValue<std::string>("by"));
		}
		bobSocket->sendText("add");
		CPPUNIT_ASSERT_EQUAL(bob.name, annSocket->receiveType("count")->getValue<std::string>("by"));
		CPPUNIT_ASSERT_EQUAL(start + 2, bobSocket->receiveType("count")->getValue<Poco::Int64>("value"));
	}

	void testConnectionKnowsItsUser()
	{
		LiveCounterServer& f = fixture();
		const Account carl = f.registerAccount("carl");
		auto first = f.connect(carl);
		auto second = f.connect(carl);
		first->receiveType("count");
		second->receiveType("count");
		second->sendText("whoami");
		auto you = second->receiveType("you");
		CPPUNIT_ASSERT_EQUAL(carl.id, you->getValue<Poco::Int64>("userId"));
		CPPUNIT_ASSERT_EQUAL(carl.name, you->getValue<std::string>("userName"));
		CPPUNIT_ASSERT_EQUAL(2, you->getValue<int>("connections"));
		// The answer went to the asking connection only.
		CPPUNIT_ASSERT(first->silentFor(300));
		first->close();
		// The endpoint forgets a closed connection (its close may be read on
		// another I/O loop than `second`'s: ask for up to 5 s).
		const Poco::Timestamp closed;
		while (closed.elapsed() < 5000000)
		{
			second->sendText("whoami");
			if (second->receiveType("you")->getValue<int>("connections") == 1) return;
			Poco::Thread::sleep(20);
		}
		CPPUNIT_FAIL("the closed connection is still counted");
	}

	void testRefusedUpgrades()
	{
		LiveCounterServer& f = fixture();
		const Poco::UInt16 http = f.server->httpPort();
		// No token: the handler refuses (401), with the JSON error.
		CPPUNIT_ASSERT_EQUAL(std::string("HTTP/1.1 401 Unauthorized"), LiveCounterServer::statusLine(http, upgradeRequest("/livecounter")));
		CPPUNIT_ASSERT_EQUAL(std::string("HTTP/1.1 401 Unauthorized"), LiveCounterServer::statusLine(f.counterPort, upgradeRequest("/")));
		CPPUNIT_ASSERT_EQUAL(std::string("HTTP/1.1 401 Unauthorized"),
			LiveCounterServer::statusLine(http, upgradeRequest("/livecounter?token=nonsense")));
		// Checked by the core before the handler: not an upgrade, a foreign origin.
		const Account dan = f.registerAccount("dan");
		const std::string token = "?token=" + HttpClient::encode(dan.token);
		CPPUNIT_ASSERT_EQUAL(std::string("HTTP/1.1 426 Upgrade Required"),
			LiveCounterServer::statusLine(http, "GET /livecounter" + token + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
		CPPUNIT_ASSERT_EQUAL(std::string("HTTP/1.1 403 Forbidden"),
			LiveCounterServer::statusLine(http, upgradeRequest("/livecounter" + token, "Origin: http://evil.example\r\n")));
		CPPUNIT_ASSERT_EQUAL(std::string("HTTP/1.1 101 Switching Protocols"),
			LiveCounterServer::statusLine(http, upgradeRequest("/livecounter" + token)));
		// The chat's query parameters mean nothing to the core.
		CPPUNIT_ASSERT_EQUAL(std::string("HTTP/1.1 101 Switching Protocols"),
			LiveCounterServer::statusLine(http, upgradeRequest("/livecounter" + token + "&since=abc")));
		// The HTTP port still serves everything else.
		HttpClient client(http);
		CPPUNIT_ASSERT_EQUAL(200, client.get("/health").status);
	}

	void testLimitsAndCloses()
	{
		LiveCounterServer& f = fixture();
		const Account eve = f.registerAccount("eve");
		auto tooBig = f.connect(eve);
		tooBig->receiveType("count");
		tooBig->sendText(std::string(2000, 'a'));  // the example's maxMessage is 1024
		CPPUNIT_ASSERT_EQUAL(1009, tooBig->waitForClose());

		auto rude = f.connect(eve);
		rude->receiveType("count");
		rude->sendText("hello?");  // the handler closes it
		CPPUNIT_ASSERT_EQUAL(1008, rude->waitForClose());

		auto binary = f.connect(eve);
		binary->receiveType("count");
		binary->sendBinary("\x01\x02");
		CPPUNIT_ASSERT_EQUAL(1003, binary->waitForClose());
	}

	void testLogoutClosesTheSessionsConnections()
	{
		LiveCounterServer& f = fixture();
		const Account fay = f.registerAccount("fay");
		auto socket = f.connect(fay);
		socket->receiveType("count");
		HttpClient http(f.server->httpPort());
		http.setBearer(fay.token);
		const HttpReply reply = http.request("POST", "/logout");
		CPPUNIT_ASSERT(reply.status == 200 || reply.status == 204);
		CPPUNIT_ASSERT_EQUAL(4001, socket->waitForClose());
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(LiveCounterTest);
