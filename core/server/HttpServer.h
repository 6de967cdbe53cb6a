//
// HttpServer.h
//

#ifndef Palaver_Server_HttpServer_INCLUDED
#define Palaver_Server_HttpServer_INCLUDED

#include <Poco/Logger.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/ThreadPool.h>
#include <Poco/Util/AbstractConfiguration.h>
#include <atomic>
#include <memory>

namespace Palaver {
namespace Server {

class MetricsImpl;
class RouterImpl;

/// The [http] listener: Poco's HTTPServer on a thread pool of its own, with
/// every request going through the router, JSON errors, body limits, metrics
/// and an access log line.
class HttpServer
{
public:
	HttpServer(const Poco::Util::AbstractConfiguration& config, RouterImpl& router, MetricsImpl& metrics);
	~HttpServer();

	void start();

	/// Stops accepting, lets requests in flight finish (at most drainSeconds),
	/// then closes the remaining (idle keep-alive) connections.
	void stop(int drainSeconds);

	Poco::UInt16 port() const;

private:
	class Dispatcher;
	class DispatcherFactory;

	std::atomic<int> _active{0};
	Poco::ThreadPool _threads;
	std::unique_ptr<Poco::Net::HTTPServer> _server;
};

} } // namespace Palaver::Server

#endif
