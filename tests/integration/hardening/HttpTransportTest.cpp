// The core's transport (issue 13): thousands of idle keep-alive connections
// and slow-loris tricklers cost no thread and do not slow anyone down; HTTP/1.1
// framing on the event loops (pipelining, Connection: close, HTTP/1.0,
// 100-continue, 431, 413, 411); a slow reader of a large answer is cut;
// deferred answers (Response::defer()) keep a connection's order and time out.
// Runs palaverd with the core's hello and deferred fixture plugins only.
#include "HelloOnlyPlugins.h"
#include "HttpClient.h"
#include "TestServer.h"
#include <Poco/Net/NetException.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/String.h>
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

const int WRITE_TIMEOUT_S = 2;  // --http.request_timeout: an answer's whole write

TestServer& server()
{
	static HelloOnlyPlugins plugins({"deferred"});
	static std::unique_ptr<TestServer> instance = []
	{
		TestServer::Options options;
		options.pluginsConfigDir = plugins.dir;
		// max_queued: the 2,000 first requests come at once, and a slow
		// (sanitised) build must not answer some of them 503. workers: fewer
		// than the deferred answers that wait at once.
		options.arguments = {"--http.keep_alive_timeout=120", "--http.request_timeout=" + std::to_string(WRITE_TIMEOUT_S),
			"--http.access_log=false", "--http.max_queued=4096", "--http.workers=4"};
		auto s = std::make_unique<TestServer>(options);
		s->start();
		return s;
	}();
	return *instance;
}

/// One raw client connection: bytes out, answers in, as a test wants them.
class RawConnection
{
public:
	RawConnection():
		_socket(Poco::Net::SocketAddress("127.0.0.1", server().httpPort()))
	{
		_socket.setNoDelay(true);
	}

	void send(const std::string& bytes)
	{
		std::size_t sent = 0;
		while (sent < bytes.size())
			sent += static_cast<std::size_t>(_socket.sendBytes(bytes.data() + sent, static_cast<int>(bytes.size() - sent)));
	}

	/// The next answer (head and Content-Length body), or "" when the
	/// connection ends or nothing whole comes within timeoutMs.
	std::string answer(int timeoutMs = 5000)
	{
		const Poco::Timestamp started;
		for (;;)
		{
			const std::size_t headEnd = _buffer.find("\r\n\r\n");
			if (headEnd != std::string::npos)
			{
				std::size_t length = 0;
				const std::size_t field = _buffer.find("Content-Length: ");
				if (field != std::string::npos && field < headEnd) length = std::stoul(_buffer.substr(field + 16));
				const std::size_t total = headEnd + 4 + length;
				if (_buffer.size() >= total)
				{
					std::string whole = _buffer.substr(0, total);
					_buffer.erase(0, total);
					return whole;
				}
			}
			if (started.elapsed() > static_cast<Poco::Timestamp::TimeDiff>(timeoutMs) * 1000 || !receive(100)) return "";
		}
	}

	/// True when the server ends the connection within timeoutMs (what it
	/// sends before is kept for answer()).
	bool endsWithin(int timeoutMs)
	{
		const Poco::Timestamp started;
		while (started.elapsed() < static_cast<Poco::Timestamp::TimeDiff>(timeoutMs) * 1000)
		{
			if (!receive(100)) return _ended;
		}
		return false;
	}

	/// Reads at most for waitMs; false once the connection has ended.
	bool receive(int waitMs)
	{
		if (_ended) return false;
		if (!_socket.poll(Poco::Timespan(0, waitMs * 1000), Poco::Net::Socket::SELECT_READ)) return true;
		char chunk[65536];
		int n = 0;
		try
		{
			n = _socket.receiveBytes(chunk, sizeof(chunk));
		}
		catch (Poco::Exception&)
		{
		}
		if (n <= 0)
		{
			_ended = true;
			return false;
		}
		_buffer.append(chunk, static_cast<std::size_t>(n));
		_received += static_cast<std::size_t>(n);
		return true;
	}

	std::size_t received() const { return _received; }
	Poco::Net::StreamSocket& socket() { return _socket; }

private:
	Poco::Net::StreamSocket _socket;
	std::string _buffer;
	std::size_t _received = 0;
	bool _ended = false;
};

int statusOf(const std::string& answer)
{
	return answer.compare(0, 5, "HTTP/") == 0 && answer.size() > 12 ? std::stoi(answer.substr(9, 3)) : 0;
}

/// True when the answer's head says it closes the connection (any case).
bool announcesClose(const std::string& answer)
{
	return Poco::toLower(answer.substr(0, answer.find("\r\n\r\n") + 2)).find("\r\nconnection: close\r\n") != std::string::npos;
}

const std::string HEALTH = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

} // namespace

class HttpTransportTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(HttpTransportTest);
	CPPUNIT_TEST(testIdleAndTricklingConnectionsCostNoThread);
	CPPUNIT_TEST(testPipelinedRequestsAreAnsweredInOrder);
	CPPUNIT_TEST(testConnectionCloseIsHonoured);
	CPPUNIT_TEST(testHttp10);
	CPPUNIT_TEST(testExpectContinue);
	CPPUNIT_TEST(testHeadTooLarge);
	CPPUNIT_TEST(testBodyTooLargeIsRefusedUnread);
	CPPUNIT_TEST(testTransferEncodingIsRefused);
	CPPUNIT_TEST(testSlowReaderOfALargeAnswerIsCut);
	CPPUNIT_TEST(testDeferredAnswersKeepPipelinedOrder);
	CPPUNIT_TEST(testDeferredAnswerHoldsNoWorker);
	CPPUNIT_TEST(testDeferredThenThrownAnswersTheError);
	CPPUNIT_TEST(testDeferredAnswerNeverCompletedTimesOut);
	CPPUNIT_TEST_SUITE_END();

public:
	void testDeferredAnswersKeepPipelinedOrder()
	{
		// In one write: a slow deferred answer, a plain one, one completed
		// before its handler returned, and a deferred JSON error.
		RawConnection connection;
		connection.send("GET /deferred/later/300 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" + HEALTH +
			"GET /deferred/now HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
			"GET /deferred/teapot HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
		const std::string later = connection.answer();
		CPPUNIT_ASSERT_EQUAL_MESSAGE(later, 200, statusOf(later));
		CPPUNIT_ASSERT_MESSAGE(later, later.find("\r\nX-Deferred: yes\r\n") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(later, later.find("{\"waited\":300}") != std::string::npos);
		const std::string health = connection.answer();
		CPPUNIT_ASSERT_MESSAGE(health, health.find("\"status\"") != std::string::npos);
		const std::string now = connection.answer();
		CPPUNIT_ASSERT_MESSAGE(now, now.find("{\"now\":true}") != std::string::npos);
		const std::string teapot = connection.answer();
		CPPUNIT_ASSERT_EQUAL_MESSAGE(teapot, 418, statusOf(teapot));
		CPPUNIT_ASSERT_MESSAGE(teapot, teapot.find("\"code\":\"teapot\"") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(teapot, teapot.find("\"field\":\"spout\"") != std::string::npos);

		// Metrics count the real status under the route.
		RawConnection metrics;
		metrics.send("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
		const std::string counted = metrics.answer();
		CPPUNIT_ASSERT_MESSAGE(counted, counted.find("route=\"/deferred/teapot\",status=\"418\"") != std::string::npos);
	}

	void testDeferredAnswerHoldsNoWorker()
	{
		// More waiting deferred answers than [http] workers (4 here): each
		// handler returns at once, so /health is still answered meanwhile
		// (were workers held, it would queue behind 36 others for 9 s:
		// bounded at 1.5 s, for a loaded machine). Each answer comes 1 s
		// later, within request_timeout (2 s).
		std::vector<std::unique_ptr<RawConnection>> waiting;
		for (int i = 0; i < 40; ++i)
		{
			waiting.emplace_back(new RawConnection);
			waiting.back()->send("GET /deferred/later/1000 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
		}
		Poco::Thread::sleep(200);
		const Poco::Timestamp started;
		RawConnection newcomer;
		newcomer.send(HEALTH);
		CPPUNIT_ASSERT_EQUAL(200, statusOf(newcomer.answer(1500)));
		CPPUNIT_ASSERT(started.elapsed() < 1500000);
		for (auto& connection: waiting) CPPUNIT_ASSERT_EQUAL(200, statusOf(connection->answer()));
	}

	void testDeferredThenThrownAnswersTheError()
	{
		RawConnection connection;
		connection.send("GET /deferred/throws HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" + HEALTH);
		const std::string thrown = connection.answer();
		CPPUNIT_ASSERT_EQUAL_MESSAGE(thrown, 409, statusOf(thrown));
		CPPUNIT_ASSERT_EQUAL(200, statusOf(connection.answer()));
		// The deferred answer completed later goes nowhere.
		CPPUNIT_ASSERT_EQUAL(std::string(), connection.answer(300));
	}

	void testDeferredAnswerNeverCompletedTimesOut()
	{
		// Answered 503 after [http] request_timeout (2 s here), logged, and the
		// connection serves its next request.
		RawConnection connection;
		const Poco::Timestamp started;
		connection.send("GET /deferred/never HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" + HEALTH);
		const std::string expired = connection.answer((WRITE_TIMEOUT_S + 3) * 1000);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(expired, 503, statusOf(expired));
		CPPUNIT_ASSERT(started.elapsed() >= Poco::Timestamp::TimeDiff(WRITE_TIMEOUT_S) * 1000000);
		CPPUNIT_ASSERT_MESSAGE(expired, expired.find("\"code\":\"storage_unavailable\"") != std::string::npos);
		CPPUNIT_ASSERT_EQUAL(200, statusOf(connection.answer()));
		CPPUNIT_ASSERT(server().waitForOutput("/deferred/never: the deferred answer was not completed within [http] request_timeout"));
	}

	void testIdleAndTricklingConnectionsCostNoThread()
	{
		// 2,000 keep-alive connections, each answered once and then silent.
		// (Their burst of requests may start workers beyond min_workers: the
		// count is taken once they are answered.)
		std::vector<std::unique_ptr<RawConnection>> idle;
		for (int i = 0; i < 2000; ++i)
		{
			idle.emplace_back(new RawConnection);
			idle.back()->send(HEALTH);
		}
		for (auto& connection: idle) CPPUNIT_ASSERT_EQUAL(200, statusOf(connection->answer()));
		const int threadsBefore = server().threadCount();

		// 200 slow-loris connections, one byte a second, for 8 s.
		const std::string head = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + std::string(100, 's') + "\r\n\r\n";
		std::vector<std::unique_ptr<RawConnection>> tricklers;
		for (int i = 0; i < 200; ++i) tricklers.emplace_back(new RawConnection);
		std::atomic<bool> done{false};
		std::thread trickle([&]
		{
			for (std::size_t offset = 0; !done && offset < 8; ++offset)
			{
				for (auto& connection: tricklers) connection->send(head.substr(offset, 1));
				for (int i = 0; i < 10 && !done; ++i) Poco::Thread::sleep(100);
			}
		});
		// Joined however the checks below end.
		struct Join
		{
			std::atomic<bool>& done;
			std::thread& thread;
			~Join() { done = true; thread.join(); }
		} join{done, trickle};

		// Meanwhile a newcomer is answered at once, every time. On a loaded
		// 2-core machine one probe may be descheduled with the test itself, so
		// 95% must answer within 100 ms and every one within 1 s (before the
		// core owned connections, none was answered within 8 s).
		const Poco::Timestamp started;
		std::vector<double> latencies;
		while (started.elapsed() < 8000000)
		{
			const Poco::Timestamp asked;
			HttpClient client(server().httpPort());
			CPPUNIT_ASSERT_EQUAL(200, client.get("/health").status);
			latencies.push_back(asked.elapsed() / 1000.0);
			CPPUNIT_ASSERT_MESSAGE("threads: " + std::to_string(server().threadCount()) + " before: " + std::to_string(threadsBefore),
				server().threadCount() <= threadsBefore);
			Poco::Thread::sleep(100);
		}
		CPPUNIT_ASSERT(latencies.size() > 20);
		std::sort(latencies.begin(), latencies.end());
		const double p95 = latencies[latencies.size() * 95 / 100];
		CPPUNIT_ASSERT_MESSAGE("95th percentile of /health: " + std::to_string(p95) + " ms", p95 < 100);
		CPPUNIT_ASSERT_MESSAGE("slowest /health: " + std::to_string(latencies.back()) + " ms", latencies.back() < 1000);

		// The idle connections were kept: each still answers.
		for (std::size_t i = 0; i < idle.size(); i += 100)
		{
			idle[i]->send(HEALTH);
			CPPUNIT_ASSERT_EQUAL(200, statusOf(idle[i]->answer()));
		}
	}

	void testPipelinedRequestsAreAnsweredInOrder()
	{
		RawConnection connection;
		std::string requests;
		for (const char* name: {"first", "second", "third"})
			requests += std::string("GET /hello/") + name + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
		requests += "POST /hello/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
			"Content-Length: 9\r\n\r\ntext=four";
		connection.send(requests);
		for (const char* expected: {"\"first\"", "\"second\"", "\"third\"", "\"four\""})
		{
			const std::string answer = connection.answer();
			CPPUNIT_ASSERT_EQUAL_MESSAGE(answer, 200, statusOf(answer));
			CPPUNIT_ASSERT_MESSAGE(answer, answer.find(expected) != std::string::npos);
		}
		CPPUNIT_ASSERT(!connection.endsWithin(300));
	}

	void testConnectionCloseIsHonoured()
	{
		RawConnection connection;
		connection.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
		const std::string answer = connection.answer();
		CPPUNIT_ASSERT_EQUAL(200, statusOf(answer));
		CPPUNIT_ASSERT_MESSAGE(answer, announcesClose(answer));
		CPPUNIT_ASSERT(connection.endsWithin(2000));
	}

	void testHttp10()
	{
		RawConnection once;
		once.send("GET /health HTTP/1.0\r\n\r\n");
		const std::string answer = once.answer();
		CPPUNIT_ASSERT_MESSAGE(answer, answer.compare(0, 12, "HTTP/1.0 200") == 0);
		CPPUNIT_ASSERT(once.endsWithin(2000));

		// HTTP/1.0 asking for keep-alive gets it.
		RawConnection kept;
		const std::string request = "GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
		kept.send(request);
		CPPUNIT_ASSERT_EQUAL(200, statusOf(kept.answer()));
		kept.send(request);
		CPPUNIT_ASSERT_EQUAL(200, statusOf(kept.answer()));
	}

	void testExpectContinue()
	{
		RawConnection connection;
		connection.send("POST /hello/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
			"Content-Length: 10\r\nExpect: 100-continue\r\n\r\n");
		CPPUNIT_ASSERT_EQUAL(100, statusOf(connection.answer()));
		connection.send("text=later");
		const std::string answer = connection.answer();
		CPPUNIT_ASSERT_EQUAL_MESSAGE(answer, 200, statusOf(answer));
		CPPUNIT_ASSERT(answer.find("\"later\"") != std::string::npos);
	}

	void testHeadTooLarge()
	{
		std::string manyFields = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n";
		for (int i = 0; i < 150; ++i) manyFields += "X-F" + std::to_string(i) + ": v\r\n";
		std::string largeHead = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n";
		for (int i = 0; i < 10; ++i) largeHead += "X-Big" + std::to_string(i) + ": " + std::string(8000, 'v') + "\r\n";
		for (const std::string& head: {manyFields, largeHead})
		{
			RawConnection connection;
			connection.send(head + "\r\n");
			const std::string answer = connection.answer();
			CPPUNIT_ASSERT_EQUAL_MESSAGE(answer.substr(0, 200), 431, statusOf(answer));
			CPPUNIT_ASSERT(answer.find("\"error\"") != std::string::npos);
			CPPUNIT_ASSERT(connection.endsWithin(3000));
		}
	}

	void testBodyTooLargeIsRefusedUnread()
	{
		// /hello/echo takes 1,024 bytes at most: refused from the head alone.
		RawConnection connection;
		const Poco::Timestamp started;
		connection.send("POST /hello/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
			"Content-Length: 5000\r\n\r\ntext=");
		const std::string answer = connection.answer();
		CPPUNIT_ASSERT_EQUAL_MESSAGE(answer, 413, statusOf(answer));
		CPPUNIT_ASSERT(answer.find("\"payload_too_large\"") != std::string::npos);
		CPPUNIT_ASSERT(announcesClose(answer));
		CPPUNIT_ASSERT(started.elapsed() < 1000000);
		CPPUNIT_ASSERT(connection.endsWithin(3000));
	}

	void testTransferEncodingIsRefused()
	{
		RawConnection connection;
		connection.send("POST /hello/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\ntext\r\n0\r\n\r\n");
		const std::string answer = connection.answer();
		CPPUNIT_ASSERT_EQUAL_MESSAGE(answer, 411, statusOf(answer));
		CPPUNIT_ASSERT(connection.endsWithin(3000));
	}

	void testSlowReaderOfALargeAnswerIsCut()
	{
		// 32 MiB asked for and never read: more than the sockets' buffers hold.
		RawConnection connection;
		connection.socket().setReceiveBufferSize(65536);
		connection.send("GET /hello/bulk/32 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
		Poco::Thread::sleep((WRITE_TIMEOUT_S + 2) * 1000);
		// Cut: what was buffered arrives, then the end, well short of 32 MiB.
		CPPUNIT_ASSERT(connection.endsWithin(10000));
		CPPUNIT_ASSERT_MESSAGE(std::to_string(connection.received()), connection.received() < (32u << 20));
		HttpClient client(server().httpPort());
		CPPUNIT_ASSERT_EQUAL(200, client.get("/health").status);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(HttpTransportTest);
