// Routes that run on the connection's I/O thread (Router::addOnIoThread())
// through the real transport on a loopback port: where each handler runs,
// the hand-over to a worker (Request::requireWorker()), deferred answers
// completed from another thread, and pipelined requests answered in order.

#include "MetricsImpl.h"
#include "RouterImpl.h"
#include "Transport.h"
#include "palaver/DeferredResponse.h"
#include "palaver/HttpError.h"
#include "palaver/OriginPolicy.h"
#include "palaver/Request.h"
#include "palaver/Response.h"
#include <Poco/AutoPtr.h>
#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/Util/MapConfiguration.h>
#include <cppunit/extensions/HelperMacros.h>
#include <atomic>
#include <memory>
#include <pthread.h>
#include <string>
#include <thread>

using namespace Palaver;
using Palaver::Server::MetricsImpl;
using Palaver::Server::RouterImpl;
using Palaver::Server::Transport;

namespace {

std::string threadName()
{
	char name[16] = {};
	pthread_getname_np(pthread_self(), name, sizeof(name));
	return name;
}

} // namespace

class IoThreadRouteTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(IoThreadRouteTest);
	CPPUNIT_TEST(runsOnTheIoThread);
	CPPUNIT_TEST(otherRoutesRunOnWorkers);
	CPPUNIT_TEST(requireWorkerRunsTheHandlerAgainOnAWorker);
	CPPUNIT_TEST(deferredAnswerCompletedElsewhere);
	CPPUNIT_TEST(errorsAreJsonErrors);
	CPPUNIT_TEST(pipelinedRequestsAnsweredInOrder);
	CPPUNIT_TEST(streamedBodyCannotRunOnTheIoThread);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp()
	{
		Poco::AutoPtr<Poco::Util::MapConfiguration> config = new Poco::Util::MapConfiguration;
		config->setString("http.address", "127.0.0.1");
		config->setString("http.port", "0");
		config->setString("http.io_threads", "1");
		_config = config;
		_router.reset(new RouterImpl);
		_metrics.reset(new MetricsImpl);
		_origins.reset(new OriginPolicy);
		_runs = 0;
		_router->addOnIoThread("GET", "/here/{n}", [](Request& request, Response& response)
		{
			response.sendJsonText(200, "{\"thread\":\"" + threadName() + "\",\"n\":" + request.param("n") + "}");
		}, Router::Options());
		_router->add("GET", "/plain", [](Request&, Response& response)
		{
			response.sendJsonText(200, "{\"thread\":\"" + threadName() + "\"}");
		});
		_router->addOnIoThread("GET", "/blocks", [this](Request& request, Response& response)
		{
			++_runs;
			request.requireWorker();
			response.sendJsonText(200, "{\"thread\":\"" + threadName() + "\"}");
		}, Router::Options());
		_router->addOnIoThread("POST", "/later", [](Request& request, Response& response)
		{
			std::shared_ptr<DeferredResponse> answer = response.defer();
			const std::string body = request.body();
			std::thread([answer, body] { answer->complete([&body](Response& created) { created.sendJsonText(201, body); }); })
				.detach();
		}, Router::Options());
		_router->addOnIoThread("GET", "/refused", [](Request&, Response&)
		{
			throw HttpError::validation("text", "text must not be empty");
		}, Router::Options());
		_transport.reset(new Transport(*_config, *_router, *_metrics, *_origins));
		_transport->start();
	}

	void tearDown()
	{
		_transport->stop(1);
		_transport.reset();
	}

	void runsOnTheIoThread()
	{
		int status = 0;
		const std::string body = get("GET", "/here/7", "", status);
		CPPUNIT_ASSERT_EQUAL(200, status);
		CPPUNIT_ASSERT_EQUAL(std::string("{\"thread\":\"http-io-0\",\"n\":7}"), body);
	}

	void otherRoutesRunOnWorkers()
	{
		int status = 0;
		const std::string body = get("GET", "/plain", "", status);
		CPPUNIT_ASSERT_EQUAL(200, status);
		CPPUNIT_ASSERT_MESSAGE(body, body.find("\"thread\":\"http-worker-") != std::string::npos);
	}

	void requireWorkerRunsTheHandlerAgainOnAWorker()
	{
		int status = 0;
		const std::string body = get("GET", "/blocks", "", status);
		CPPUNIT_ASSERT_EQUAL(200, status);
		CPPUNIT_ASSERT_MESSAGE(body, body.find("\"thread\":\"http-worker-") != std::string::npos);
		// Once on the I/O thread (up to requireWorker()), once on the worker.
		CPPUNIT_ASSERT_EQUAL(2, _runs.load());
	}

	void deferredAnswerCompletedElsewhere()
	{
		int status = 0;
		const std::string body = get("POST", "/later", "{\"echo\":1}", status);
		CPPUNIT_ASSERT_EQUAL(201, status);
		CPPUNIT_ASSERT_EQUAL(std::string("{\"echo\":1}"), body);
	}

	void errorsAreJsonErrors()
	{
		int status = 0;
		const std::string body = get("GET", "/refused", "", status);
		CPPUNIT_ASSERT_EQUAL(400, status);
		CPPUNIT_ASSERT_MESSAGE(body, body.find("\"field\":\"text\"") != std::string::npos);
	}

	void pipelinedRequestsAnsweredInOrder()
	{
		Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", _transport->port()));
		socket.setReceiveTimeout(Poco::Timespan(5, 0));
		std::string requests;
		for (int n = 1; n <= 20; ++n)
		{
			// Every fifth one through a worker: the order holds across both paths.
			requests += (n % 5 == 0 ? std::string("GET /plain") : "GET /here/" + std::to_string(n)) +
				" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
		}
		socket.sendBytes(requests.data(), static_cast<int>(requests.size()));
		std::string received;
		char buffer[4096];
		for (int reads = 0; reads < 200 && countOf(received, "HTTP/1.1 200") < 20; ++reads)
		{
			const int n = socket.receiveBytes(buffer, sizeof(buffer));
			if (n <= 0) break;
			received.append(buffer, static_cast<std::size_t>(n));
		}
		CPPUNIT_ASSERT_EQUAL(std::size_t(20), countOf(received, "HTTP/1.1 200"));
		std::size_t at = 0;
		for (int n = 1; n <= 20; ++n)
		{
			const std::string expected = n % 5 == 0 ? "\"thread\":\"http-worker-" : "\"n\":" + std::to_string(n) + "}";
			const std::size_t found = received.find(expected, at);
			CPPUNIT_ASSERT_MESSAGE("answer " + std::to_string(n) + " out of order", found != std::string::npos);
			at = found + expected.size();
		}
	}

	void streamedBodyCannotRunOnTheIoThread()
	{
		Router::Options options;
		options.streamBody = true;
		CPPUNIT_ASSERT_THROW(_router->addOnIoThread("POST", "/upload", [](Request&, Response&) {}, options),
			Poco::InvalidArgumentException);
	}

private:
	std::string get(const std::string& method, const std::string& path, const std::string& body, int& status)
	{
		Poco::Net::HTTPClientSession session("127.0.0.1", _transport->port());
		session.setTimeout(Poco::Timespan(5, 0));
		Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
		if (method == "POST") request.setContentLength(static_cast<std::streamsize>(body.size()));
		session.sendRequest(request) << body;
		Poco::Net::HTTPResponse response;
		std::istream& in = session.receiveResponse(response);
		std::string answer;
		Poco::StreamCopier::copyToString(in, answer);
		status = response.getStatus();
		return answer;
	}

	static std::size_t countOf(const std::string& text, const std::string& what)
	{
		std::size_t count = 0;
		for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++count;
		return count;
	}

	Poco::AutoPtr<Poco::Util::AbstractConfiguration> _config;
	std::unique_ptr<RouterImpl> _router;
	std::unique_ptr<MetricsImpl> _metrics;
	std::unique_ptr<OriginPolicy> _origins;
	std::unique_ptr<Transport> _transport;
	std::atomic<int> _runs{0};
};

CPPUNIT_TEST_SUITE_REGISTRATION(IoThreadRouteTest);
