//
// MockPushService.h
//
// A push service on 127.0.0.1 for the tests: it records every request and
// answers by the first path segment: /ok/... 201, /gone/... 410,
// /flaky/... 503 the first time a path is asked and 201 after,
// /hang/... nothing until release() (or 30 s), then 201, /slow/... 201
// after 300 ms.
//

#ifndef Palaver_Testing_MockPushService_INCLUDED
#define Palaver_Testing_MockPushService_INCLUDED

#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/ThreadPool.h>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace Palaver {
namespace Testing {

class MockPushService
{
public:
	struct Received
	{
		std::string path;
		Poco::Net::NameValueCollection headers;
		std::string body;
		Poco::Int64 at = 0;  /// Poco::Timestamp microseconds
	};

	MockPushService();
	~MockPushService();

	/// "http://127.0.0.1:PORT"
	std::string origin() const;

	/// The requests to path received so far.
	std::vector<Received> received(const std::string& path);

	/// Waits until count requests to path have arrived, at most timeoutMs;
	/// returns them (fewer on time-out).
	std::vector<Received> waitFor(const std::string& path, std::size_t count = 1, int timeoutMs = 10000);

	/// Lets the /hang/ requests answer.
	void release();

	/// Called by the request handler.
	void record(Received request);
	bool waitForRelease();
	bool firstTime(const std::string& path);

private:
	std::vector<Received> matchingLocked(const std::string& path) const;

	std::mutex _mutex;
	std::condition_variable _changed;
	std::vector<Received> _received;
	std::map<std::string, int> _asked;
	bool _released = false;
	Poco::ThreadPool _threads;
	std::unique_ptr<Poco::Net::HTTPServer> _server;
};

} } // namespace Palaver::Testing

#endif
