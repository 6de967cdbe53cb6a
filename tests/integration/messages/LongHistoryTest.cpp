// Issue 15 item 6: GET /messages/from/{id} without limit answers a history of
// any length in bounded memory (streamed a page at a time, chunked), and a
// reader that stops reading is dropped after [http] request_timeout without
// holding a worker meanwhile. SQLite only: the long history is written
// straight into the database file while palaverd is stopped.
#include "HttpClient.h"
#include "TestServer.h"
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Transaction.h>
#include <Poco/File.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/TemporaryFile.h>
#include <Poco/Thread.h>
#include <Poco/Timestamp.h>
#include <cppunit/extensions/HelperMacros.h>
#include <algorithm>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

using namespace Poco::Data::Keywords;
using Palaver::Testing::HttpClient;
using Palaver::Testing::HttpReply;
using Palaver::Testing::TestServer;

class LongHistoryTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(LongHistoryTest);
	CPPUNIT_TEST(testLongHistoryInBoundedMemory);
	CPPUNIT_TEST(testSlowReaderIsDropped);
	CPPUNIT_TEST_SUITE_END();

	static constexpr int MESSAGES = 20000;
	static constexpr std::size_t TEXT_SIZE = 4096;

public:
	void setUp() override
	{
		_state.reset(new Poco::TemporaryFile);
		Poco::File(_state->path()).createDirectories();
		start();
		HttpClient ana(_server->httpPort());
		HttpClient bob(_server->httpPort());
		_anaId = registerAs(ana, "ana");
		_bobId = registerAs(bob, "bob");
		// One message through the API: the schema is there, and the next ids follow it.
		CPPUNIT_ASSERT_EQUAL(201, ana.postForm("/post/touser/" + std::to_string(_bobId), {{"text", "first"}}).status);
		CPPUNIT_ASSERT_EQUAL(0, _server->stop());
		fill();
		start();
	}

	void tearDown() override
	{
		_server.reset();
		_state.reset();
	}

	void testLongHistoryInBoundedMemory()
	{
		login("ana");
		HttpClient ana(_server->httpPort());
		ana.setBearer(_token);
		const std::string path = "/messages/from/" + std::to_string(_bobId);
		CPPUNIT_ASSERT_EQUAL(200, ana.get(path + "?limit=1").status);
		const long peakBefore = _server->statusField("VmHWM");
		CPPUNIT_ASSERT(peakBefore > 0);

		HttpReply all = ana.get(path);
		CPPUNIT_ASSERT_EQUAL(200, all.status);
		CPPUNIT_ASSERT_EQUAL(std::string("chunked"), all.header("Transfer-Encoding"));
		if (all.body.size() <= std::size_t(MESSAGES) * TEXT_SIZE)
		{
			// Cut short: the server logs why ("… was cut short: …"); its output is
			// read by another thread, so give the line a moment to arrive.
			_server->waitForOutput("cut short", 2000);
			CPPUNIT_FAIL(std::to_string(all.body.size()) + " bytes; " + _server->output());
		}
		Poco::JSON::Array::Ptr history = all.jsonArray();
		CPPUNIT_ASSERT_EQUAL(std::size_t(MESSAGES + 1), history->size());
		CPPUNIT_ASSERT_EQUAL(std::string("first"), history->getObject(0)->getValue<std::string>("text"));
		Poco::Int64 previous = 0;
		for (unsigned i = 0; i < history->size(); ++i)
		{
			Poco::JSON::Object::Ptr message = history->getObject(i);
			const Poco::Int64 id = message->getValue<Poco::Int64>("id");
			CPPUNIT_ASSERT(id > previous);
			previous = id;
			if (i > 0) CPPUNIT_ASSERT_EQUAL(text(static_cast<int>(i - 1)), message->getValue<std::string>("text"));
		}
		// The same bytes as the pages of the bounded route put together.
		const HttpReply newest = ana.get(path + "?limit=3");
		const std::string tail = newest.body.substr(1);
		CPPUNIT_ASSERT(all.body.size() > tail.size());
		CPPUNIT_ASSERT_EQUAL(tail, all.body.substr(all.body.size() - tail.size()));

		// The answer (over 80 MB) never was in palaverd's memory at once. Not
		// under AddressSanitizer (make test-asan), whose quarantine keeps
		// freed memory resident: there the streaming is checked, not its size.
#ifndef __SANITIZE_ADDRESS__
		const long peakGrowthKiB = _server->statusField("VmHWM") - peakBefore;
		const long answerKiB = static_cast<long>(all.body.size() / 1024);
		CPPUNIT_ASSERT_MESSAGE("resident peak grew by " + std::to_string(peakGrowthKiB) + " KiB for an answer of " +
			std::to_string(answerKiB) + " KiB", peakGrowthKiB < answerKiB / 4);
#else
		(void) peakBefore;
#endif

		// HTTP/1.0 has no chunks: the body ends with the connection.
		Poco::Net::HTTPClientSession old("127.0.0.1", _server->httpPort());
		Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, path + "?before=" +
			std::to_string(history->getObject(3)->getValue<Poco::Int64>("id")), Poco::Net::HTTPMessage::HTTP_1_0);
		request.set("Authorization", "Bearer " + _token);
		old.sendRequest(request);
		Poco::Net::HTTPResponse response;
		std::istream& body = old.receiveResponse(response);
		CPPUNIT_ASSERT_EQUAL(200, static_cast<int>(response.getStatus()));
		CPPUNIT_ASSERT(!response.getChunkedTransferEncoding());
		const std::string oldBody{std::istreambuf_iterator<char>(body), std::istreambuf_iterator<char>()};
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), Poco::JSON::Parser().parse(oldBody).extract<Poco::JSON::Array::Ptr>()->size());
	}

	void testSlowReaderIsDropped()
	{
		login("ana");
		// A small receive buffer, and nothing read: the answer stalls at once.
		Poco::Net::StreamSocket slow(Poco::Net::SocketAddress::IPv4);
		slow.setReceiveBufferSize(16384);
		slow.connect(Poco::Net::SocketAddress("127.0.0.1", _server->httpPort()));
		const std::string request = "GET /messages/from/" + std::to_string(_bobId) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
			"Authorization: Bearer " + _token + "\r\n\r\n";
		slow.sendBytes(request.data(), static_cast<int>(request.size()));
		Poco::Thread::sleep(500);

		// The one worker is free meanwhile: other requests are answered.
		HttpClient other(_server->httpPort());
		const Poco::Timestamp asked;
		CPPUNIT_ASSERT_EQUAL(200, other.get("/health").status);
		CPPUNIT_ASSERT(asked.elapsed() < 1000000);

		// After [http] request_timeout (2 s) without progress the connection
		// is closed, its answer cut short (no last chunk).
		Poco::Thread::sleep(3500);
		slow.setReceiveTimeout(Poco::Timespan(10, 0));
		std::string received;
		std::vector<char> buffer(1 << 16);
		for (int reads = 0; reads < 100000; ++reads)
		{
			int n = 0;
			try
			{
				n = slow.receiveBytes(buffer.data(), static_cast<int>(buffer.size()));
			}
			catch (Poco::Net::ConnectionResetException&)
			{
				break;
			}
			if (n <= 0) break;
			received.append(buffer.data(), static_cast<std::size_t>(n));
		}
		CPPUNIT_ASSERT(received.rfind("HTTP/1.1 200", 0) == 0);
		CPPUNIT_ASSERT(received.size() < std::size_t(MESSAGES) * TEXT_SIZE / 2);
		CPPUNIT_ASSERT(received.find("\r\n0\r\n\r\n") == std::string::npos);
		CPPUNIT_ASSERT_EQUAL(200, other.get("/health").status);
	}

private:
	void start()
	{
		TestServer::Options options;
		options.stateDir = _state->path();
		options.arguments = {
			"--auth.enabled=true", "--messages.enabled=true", "--contacts.enabled=false",
			"--ws.enabled=false", "--web.enabled=false", "--groups.enabled=false",
			"--auth.password_opslimit=1", "--auth.password_memlimit=8192",
			"--http.workers=1", "--http.request_timeout=2"};
		_server.reset(new TestServer(options));
		_server->start();
	}

	/// MESSAGES messages of TEXT_SIZE bytes between ana and bob, straight into the file.
	void fill()
	{
		Poco::Data::SQLite::Connector::registerConnector();
		Poco::Data::Session session("SQLite", _state->path() + "/palaver.db");
		Poco::Data::Transaction transaction(session);
		const Poco::Int64 low = std::min(_anaId, _bobId);
		const Poco::Int64 high = std::max(_anaId, _bobId);
		const Poco::Int64 createdAt = Poco::Timestamp().epochMicroseconds();
		for (int i = 0; i < MESSAGES; ++i)
		{
			const Poco::Int64 from = i % 2 ? _bobId : _anaId;
			const Poco::Int64 to = i % 2 ? _anaId : _bobId;
			const std::string name = i % 2 ? "bob" : "ana";
			const std::string body = text(i);
			session << "INSERT INTO messages (from_user_id, to_user_id, user_lo, user_hi, from_user_name, text, created_at) "
				"VALUES (?, ?, ?, ?, ?, ?, ?)", bind(from), bind(to), bind(low), bind(high), bind(name), bind(body), bind(createdAt), now;
		}
		transaction.commit();
	}

	/// The i-th stored text: TEXT_SIZE bytes, each different.
	static std::string text(int i)
	{
		std::string value = std::to_string(i) + " ";
		value.append(TEXT_SIZE - value.size(), static_cast<char>('a' + i % 26));
		return value;
	}

	Poco::Int64 registerAs(HttpClient& client, const std::string& name)
	{
		HttpReply reply = client.registerUser(name);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 201, reply.status);
		return reply.json()->getObject("user")->getValue<Poco::Int64>("id");
	}

	/// Logs in (the sessions of before the restart may have been swept): _token.
	void login(const std::string& name)
	{
		HttpClient client(_server->httpPort());
		HttpReply reply = client.postJson("/login", R"({"username": ")" + name + R"(", "password": "secret123"})");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 200, reply.status);
		_token = reply.json()->getValue<std::string>("token");
	}

	std::unique_ptr<Poco::TemporaryFile> _state;
	std::unique_ptr<TestServer> _server;
	Poco::Int64 _anaId = 0;
	Poco::Int64 _bobId = 0;
	std::string _token;
};

CPPUNIT_TEST_SUITE_REGISTRATION(LongHistoryTest);
