// Abuse of the HTTP port: malformed request lines, huge headers, connections
// that never send, slow-loris (a head or body trickled), and a handler that
// throws under load. Each is bounded by a limit or a time-out, and the server
// keeps serving everyone else meanwhile. Runs palaverd with the core's hello
// fixture plugin only, and short time-outs.
#include "HelloOnlyPlugins.h"
#include "HttpClient.h"
#include "TestServer.h"
#include <Poco/Net/NetException.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Thread.h>
#include <Poco/Timestamp.h>
#include <cppunit/extensions/HelperMacros.h>
#include <algorithm>
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

using namespace Palaver::Testing;

namespace {

const int READ_TIMEOUT_S = 2;   // --http.request_read_timeout
const int WORKERS = 16;         // --http.workers

TestServer& server()
{
	static HelloOnlyPlugins plugins;
	static std::unique_ptr<TestServer> instance = []
	{
		TestServer::Options options;
		options.pluginsConfigDir = plugins.dir;
		options.arguments = {"--http.request_timeout=1", "--http.keep_alive_timeout=1",
			"--http.request_read_timeout=" + std::to_string(READ_TIMEOUT_S),
			"--http.workers=" + std::to_string(WORKERS), "--http.max_queued=64"};
		auto s = std::make_unique<TestServer>(options);
		s->start();
		return s;
	}();
	return *instance;
}

double secondsSince(const Poco::Timestamp& t)
{
	return static_cast<double>(t.elapsed()) / 1e6;
}

Poco::Net::StreamSocket connect()
{
	Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", server().httpPort()));
	socket.setNoDelay(true);
	return socket;
}

/// True when the peer closed the connection (EOF or reset) within timeoutMs
/// (0: only what already happened); whatever it sent before is appended to
/// received.
bool endsWithin(Poco::Net::StreamSocket& socket, int timeoutMs, std::string* received = nullptr)
{
	const Poco::Timestamp started;
	char buffer[4096];
	do
	{
		const int wait = timeoutMs == 0 ? 0 : 100000;
		if (!socket.poll(Poco::Timespan(0, wait), Poco::Net::Socket::SELECT_READ | Poco::Net::Socket::SELECT_ERROR)) continue;
		int n = 0;
		try
		{
			n = socket.receiveBytes(buffer, sizeof(buffer));
		}
		catch (Poco::Exception&)
		{
			return true;
		}
		if (n <= 0) return true;
		if (received) received->append(buffer, static_cast<std::size_t>(n));
	}
	while (started.elapsed() < static_cast<Poco::Timestamp::TimeDiff>(timeoutMs) * 1000);
	return false;
}

/// Sends bytes on a fresh connection; returns the status of the answer, or 0
/// when the server closed without one. Fails when neither happens in 5 s.
int exchange(const std::string& bytes)
{
	auto socket = connect();
	try
	{
		std::size_t sent = 0;
		while (sent < bytes.size())
			sent += static_cast<std::size_t>(socket.sendBytes(bytes.data() + sent, static_cast<int>(bytes.size() - sent)));
	}
	catch (Poco::Exception&)
	{
		// The server may hang up before reading everything.
	}
	std::string answer;
	CPPUNIT_ASSERT_MESSAGE("no answer and no close for: " + bytes.substr(0, 60), endsWithin(socket, 5000, &answer));
	if (answer.compare(0, 5, "HTTP/") != 0 || answer.size() < 12) return 0;
	return std::stoi(answer.substr(9, 3));
}

/// A fresh client's GET /health: its status (0 when it failed) and how long it took.
std::pair<int, double> health()
{
	const Poco::Timestamp started;
	int status = 0;
	try
	{
		HttpClient client(server().httpPort());
		status = client.get("/health").status;
	}
	catch (Poco::Exception&)
	{
	}
	return {status, secondsSince(started)};
}

/// GET /health must answer 200 within limitSeconds.
void assertServing(double limitSeconds, const std::string& when)
{
	const auto answer = health();
	CPPUNIT_ASSERT_EQUAL_MESSAGE(when, 200, answer.first);
	CPPUNIT_ASSERT_MESSAGE(when + ": took " + std::to_string(answer.second) + " s", answer.second < limitSeconds);
}

} // namespace

class HttpAbuseTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(HttpAbuseTest);
	CPPUNIT_TEST(testMalformedRequestLines);
	CPPUNIT_TEST(testHugeHeaders);
	CPPUNIT_TEST(testConnectionsThatNeverSend);
	CPPUNIT_TEST(testSlowLorisHead);
	CPPUNIT_TEST(testSlowBody);
	CPPUNIT_TEST(testTruncatedBodyIsRefused);
	CPPUNIT_TEST(testTransferEncodingIsRefused);
	CPPUNIT_TEST(testThrowingHandlerUnderLoad);
	CPPUNIT_TEST_SUITE_END();

public:
	void testMalformedRequestLines()
	{
		// (POCO accepts a header line without a colon, or with an empty name,
		// and any protocol name in the request line: lenient, not unsafe.)
		const std::vector<std::string> requests = {
			"GARBAGE\r\n\r\n",
			"GET\r\n\r\n",
			"GET /health\r\n\r\n",
			std::string("\x00\x01\x02\xff\xfe\r\n\r\n", 8),
			std::string(40, 'G') + " /health HTTP/1.1\r\n\r\n",          // method longer than POCO's 32
			"GET /health HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
			"POST /hello/echo HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
			"POST /hello/echo HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
			"\r\n\r\n\r\n",
		};
		for (const auto& request: requests)
		{
			const int status = exchange(request);
			CPPUNIT_ASSERT_MESSAGE("status " + std::to_string(status) + " for " + request.substr(0, 40),
				status == 0 || (status >= 400 && status < 500));
		}
		assertServing(3, "after malformed requests");
		CPPUNIT_ASSERT(server().running());
	}

	void testHugeHeaders()
	{
		const std::string start = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n";
		// Within POCO's limits: answered.
		CPPUNIT_ASSERT_EQUAL(200, exchange(start + "X-Big: " + std::string(8000, 'v') + "\r\nConnection: close\r\n\r\n"));
		// Beyond them: a value over 8 KiB, a name over 256 bytes, over 100
		// fields, a target over 16 KiB, each refused (400) or cut.
		std::string manyFields = start;
		for (int i = 0; i < 150; ++i) manyFields += "X-F" + std::to_string(i) + ": v\r\n";
		const std::vector<std::string> requests = {
			start + "X-Big: " + std::string(9000, 'v') + "\r\n\r\n",
			start + std::string(300, 'N') + ": v\r\n\r\n",
			manyFields + "\r\n",
			"GET /" + std::string(20000, 'a') + " HTTP/1.1\r\n\r\n",
			start + "X-Huge: " + std::string(1 << 20, 'h') + "\r\n\r\n",
		};
		for (const auto& request: requests)
		{
			const Poco::Timestamp started;
			const int status = exchange(request);
			CPPUNIT_ASSERT_MESSAGE("status " + std::to_string(status), status == 0 || status == 400 || status == 414 || status == 431);
			CPPUNIT_ASSERT(secondsSince(started) < 4);
		}
		assertServing(3, "after huge headers");
	}

	void testConnectionsThatNeverSend()
	{
		// Four times as many silent connections as the server has workers.
		std::vector<Poco::Net::StreamSocket> silent;
		for (int i = 0; i < 4 * WORKERS; ++i) silent.push_back(connect());
		const Poco::Timestamp started;
		// None holds a thread: a newcomer is answered at once.
		assertServing(1, "with silent connections");
		// And every silent one is dropped.
		for (auto& socket: silent)
			CPPUNIT_ASSERT_MESSAGE("a silent connection stayed open", endsWithin(socket, std::max(1, 20000 - static_cast<int>(started.elapsed() / 1000))));
		CPPUNIT_ASSERT(secondsSince(started) < 20);
		assertServing(2, "after silent connections");
	}

	void testSlowLorisHead()
	{
		// Tricklers: one byte every 200 ms, each read well within
		// request_timeout (1 s), so only the head's own deadline
		// (request_read_timeout, 2 s) can end them.
		const std::string head = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + std::string(200, 's') + "\r\n\r\n";
		const int count = WORKERS / 2;
		std::vector<Poco::Net::StreamSocket> tricklers;
		for (int i = 0; i < count; ++i) tricklers.push_back(connect());
		std::vector<double> endedAfter(count, -1);
		std::pair<int, double> meanwhile{0, 0};
		std::thread checker([&]
		{
			Poco::Thread::sleep(500);
			meanwhile = health();
		});
		const Poco::Timestamp started;
		std::size_t offset = 0;
		int open = count;
		while (open > 0 && secondsSince(started) < 15 && offset < head.size())
		{
			for (int i = 0; i < count; ++i)
			{
				if (endedAfter[i] >= 0) continue;
				bool ended = false;
				try
				{
					tricklers[i].sendBytes(head.data() + offset, 1);
				}
				catch (Poco::Exception&)
				{
					ended = true;
				}
				if (!ended) ended = endsWithin(tricklers[i], 0);
				if (ended)
				{
					endedAfter[i] = secondsSince(started);
					--open;
				}
			}
			++offset;
			Poco::Thread::sleep(200);
		}
		checker.join();
		CPPUNIT_ASSERT_EQUAL_MESSAGE("while slow-loris connections trickle", 200, meanwhile.first);
		CPPUNIT_ASSERT(meanwhile.second < 3);
		for (int i = 0; i < count; ++i)
		{
			CPPUNIT_ASSERT_MESSAGE("a trickled head was never cut", endedAfter[i] >= 0);
			CPPUNIT_ASSERT_MESSAGE("cut after " + std::to_string(endedAfter[i]) + " s", endedAfter[i] < READ_TIMEOUT_S + 3);
		}
		assertServing(2, "after slow-loris");
	}

	void testSlowBody()
	{
		// The head at once, then a 900-byte body one byte every 100 ms.
		auto socket = connect();
		const std::string head = "POST /hello/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 900\r\n\r\n";
		socket.sendBytes(head.data(), static_cast<int>(head.size()));
		const Poco::Timestamp started;
		bool ended = false;
		std::string answer;
		for (int i = 0; i < 900 && !ended && secondsSince(started) < 15; ++i)
		{
			try
			{
				socket.sendBytes("x", 1);
			}
			catch (Poco::Exception&)
			{
				ended = true;
			}
			if (!ended) ended = endsWithin(socket, 100, &answer);
		}
		CPPUNIT_ASSERT_MESSAGE("a trickled body was never cut", ended);
		CPPUNIT_ASSERT_MESSAGE("cut after " + std::to_string(secondsSince(started)) + " s", secondsSince(started) < READ_TIMEOUT_S + 3);
		CPPUNIT_ASSERT(answer.find(" 500 ") == std::string::npos);
		assertServing(2, "after a slow body");
	}

	void testTruncatedBodyIsRefused()
	{
		// 100 bytes announced, 15 sent, then the client stops sending: the
		// handler must not see "text=truncated" as a whole body.
		auto socket = connect();
		const std::string request = "POST /hello/echo HTTP/1.1\r\nHost: 127.0.0.1\r\n"
			"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ntext=truncated&";
		socket.sendBytes(request.data(), static_cast<int>(request.size()));
		socket.shutdownSend();
		std::string answer;
		CPPUNIT_ASSERT(endsWithin(socket, 5000, &answer));
		CPPUNIT_ASSERT_MESSAGE(answer, answer.compare(0, 12, "HTTP/1.1 400") == 0);
		CPPUNIT_ASSERT(answer.find("truncated") == std::string::npos);
	}

	void testTransferEncodingIsRefused()
	{
		// A chunked body cut short by a bad chunk, and a body under another
		// coding followed by a request smuggled into it: each is refused with
		// 411 before any handler sees it, and the connection is closed, so the
		// bytes behind the head are never read as a request.
		const std::string head = "POST /hello/echo HTTP/1.1\r\nHost: 127.0.0.1\r\n"
			"Content-Type: application/x-www-form-urlencoded\r\n";
		const std::vector<std::string> requests = {
			head + "Transfer-Encoding: chunked\r\n\r\n9\r\ntext=half\r\nzz\r\nrest\r\n0\r\n\r\n",
			head + "Transfer-Encoding: gzip, chunked\r\n\r\nGET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
			head + "Transfer-Encoding: chunked\r\nContent-Length: 9\r\n\r\ntext=half",
		};
		for (const auto& request: requests)
		{
			auto socket = connect();
			socket.sendBytes(request.data(), static_cast<int>(request.size()));
			std::string answer;
			CPPUNIT_ASSERT(endsWithin(socket, 5000, &answer));
			CPPUNIT_ASSERT_MESSAGE(answer, answer.compare(0, 12, "HTTP/1.1 411") == 0);
			CPPUNIT_ASSERT_MESSAGE(answer, answer.find("\"length_required\"") != std::string::npos);
			CPPUNIT_ASSERT_MESSAGE(answer, answer.find("half") == std::string::npos);
			CPPUNIT_ASSERT_MESSAGE(answer, answer.find("HTTP/1.1", 1) == std::string::npos);
		}
		assertServing(3, "after refused transfer codings");
	}

	void testThrowingHandlerUnderLoad()
	{
		// Four clients alternate a route that throws and one that works: each
		// throw is a 500 for that request only.
		std::atomic<int> failures{0};
		std::vector<std::thread> clients;
		for (int c = 0; c < 4; ++c)
		{
			clients.emplace_back([&]
			{
				HttpClient client(server().httpPort());
				for (int i = 0; i < 25; ++i)
				{
					HttpReply boom = client.get("/hello/boom");
					if (boom.status != 500 || boom.errorCode() != "internal_error" || boom.body.find("secret") != std::string::npos) ++failures;
					if (client.get("/hello/name" + std::to_string(i)).status != 200) ++failures;
				}
			});
		}
		for (auto& t: clients) t.join();
		CPPUNIT_ASSERT_EQUAL(0, failures.load());
		CPPUNIT_ASSERT(server().running());
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(HttpAbuseTest);
