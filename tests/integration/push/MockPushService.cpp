#include "MockPushService.h"
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/Thread.h>
#include <Poco/Timestamp.h>
#include <chrono>

namespace Palaver {
namespace Testing {

namespace {

class Handler: public Poco::Net::HTTPRequestHandler
{
public:
	explicit Handler(MockPushService& service): _service(service) {}

	void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override
	{
		MockPushService::Received received;
		received.path = request.getURI();
		for (const auto& header: request) received.headers.add(header.first, header.second);
		Poco::StreamCopier::copyToString(request.stream(), received.body);
		received.at = Poco::Timestamp().epochMicroseconds();
		const std::string path = received.path;
		_service.record(std::move(received));
		auto status = Poco::Net::HTTPResponse::HTTP_CREATED;
		if (path.compare(0, 6, "/gone/") == 0) status = Poco::Net::HTTPResponse::HTTP_GONE;
		else if (path.compare(0, 7, "/flaky/") == 0 && _service.firstTime(path)) status = Poco::Net::HTTPResponse::HTTP_SERVICE_UNAVAILABLE;
		else if (path.compare(0, 6, "/hang/") == 0) _service.waitForRelease();
		else if (path.compare(0, 6, "/slow/") == 0) Poco::Thread::sleep(300);
		response.setStatus(status);
		response.setContentLength(0);
		response.send();
	}

private:
	MockPushService& _service;
};

class Factory: public Poco::Net::HTTPRequestHandlerFactory
{
public:
	explicit Factory(MockPushService& service): _service(service) {}

	Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override
	{
		return new Handler(_service);
	}

private:
	MockPushService& _service;
};

} // namespace

MockPushService::MockPushService():
	_threads(2, 32)
{
	Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
	Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
	params->setMaxThreads(32);
	_server.reset(new Poco::Net::HTTPServer(new Factory(*this), _threads, socket, params));
	_server->start();
}

MockPushService::~MockPushService()
{
	release();
	_server->stopAll(true);
	_threads.joinAll();
}

std::string MockPushService::origin() const
{
	return "http://127.0.0.1:" + std::to_string(_server->port());
}

void MockPushService::record(Received request)
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_received.push_back(std::move(request));
	}
	_changed.notify_all();
}

bool MockPushService::firstTime(const std::string& path)
{
	std::lock_guard<std::mutex> lock(_mutex);
	return ++_asked[path] == 1;
}

bool MockPushService::waitForRelease()
{
	std::unique_lock<std::mutex> lock(_mutex);
	return _changed.wait_for(lock, std::chrono::seconds(30), [this] { return _released; });
}

void MockPushService::release()
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_released = true;
	}
	_changed.notify_all();
}

std::vector<MockPushService::Received> MockPushService::matchingLocked(const std::string& path) const
{
	std::vector<Received> result;
	for (const auto& request: _received)
	{
		if (request.path == path) result.push_back(request);
	}
	return result;
}

std::vector<MockPushService::Received> MockPushService::received(const std::string& path)
{
	std::lock_guard<std::mutex> lock(_mutex);
	return matchingLocked(path);
}

std::vector<MockPushService::Received> MockPushService::waitFor(const std::string& path, std::size_t count, int timeoutMs)
{
	std::unique_lock<std::mutex> lock(_mutex);
	_changed.wait_for(lock, std::chrono::milliseconds(timeoutMs), [&] { return matchingLocked(path).size() >= count; });
	return matchingLocked(path);
}

} } // namespace Palaver::Testing
