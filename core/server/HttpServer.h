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

class OriginPolicy;

namespace Server {

class MetricsImpl;
class RequestScreen;
class RouterImpl;

/// The [http] listener: Poco's HTTP server connections on a thread pool of
/// their own, with every request going through the router, JSON errors, body
/// limits, metrics and an access log line. A request's head and body must
/// arrive within [http] request_read_timeout (slow-loris): Poco's own
/// time-out bounds each socket read, not a whole request. Requests pass a
/// RequestScreen first (Host names, logging of malformed requests).
class HttpServer
{
public:
	HttpServer(const Poco::Util::AbstractConfiguration& config, RouterImpl& router, MetricsImpl& metrics, const OriginPolicy& origins);
	~HttpServer();

	void start();

	/// Stops accepting, lets requests in flight finish (at most drainSeconds),
	/// then closes the remaining (idle keep-alive) connections.
	void stop(int drainSeconds);

	Poco::UInt16 port() const;

private:
	class Dispatcher;
	class DispatcherFactory;
	class ReadGuard;
	class GuardedConnection;
	class ConnectionFactory;
	class Listener;

	std::atomic<int> _active{0};
	std::unique_ptr<RequestScreen> _screen;
	Poco::ThreadPool _threads;
	std::unique_ptr<ReadGuard> _guard;  // after _threads: its thread collects them
	std::unique_ptr<Listener> _server;
};

} } // namespace Palaver::Server

#endif
