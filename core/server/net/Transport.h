//
// Transport.h
//

#ifndef Palaver_Server_Transport_INCLUDED
#define Palaver_Server_Transport_INCLUDED

#include "HttpDispatcher.h"
#include "RequestScreen.h"
#include "TransportSettings.h"
#include "palaver/WorkerPool.h"
#include <Poco/Net/ServerSocket.h>
#include <Poco/Util/AbstractConfiguration.h>
#include <atomic>
#include <memory>
#include <vector>

namespace Palaver {

class OriginPolicy;

namespace Server {

class EventLoop;
class MetricsImpl;
class RouterImpl;
class WebSocketEndpointImpl;

/// The core's connection layer: the [http] listener, the event loops (one
/// epoll thread each, [http] io_threads) that own every connection, and the
/// worker pool ([http] workers) that runs route handlers on complete
/// requests. An idle or trickling connection costs a loop a few hundred
/// bytes and no thread. WebSocket endpoints (WebSocketsImpl) are served on
/// the same loops: mounted on the HTTP listener's paths, or on listeners of
/// their own.
class Transport
{
public:
	/// Binds the listener (so a busy port fails at start-up); serves nothing yet.
	Transport(const Poco::Util::AbstractConfiguration& config, RouterImpl& router, MetricsImpl& metrics,
		const OriginPolicy& origins);
	~Transport();

	void start();

	/// Stops accepting, lets requests in flight finish (at most drainSeconds),
	/// writes their answers, then closes every connection.
	void stop(int drainSeconds);

	Poco::UInt16 port() const;

	/// Before start(): upgrades of GET path on the HTTP listener go to endpoint.
	void mount(const std::string& path, std::shared_ptr<WebSocketEndpointImpl> endpoint);

	/// Before start(): a listener of endpoint's own on address; returns its port.
	Poco::UInt16 listen(const Poco::Net::SocketAddress& address, std::shared_ptr<WebSocketEndpointImpl> endpoint);

private:
	const TransportSettings _settings;
	RequestScreen _screen;
	HttpDispatcher _dispatcher;
	WorkerPool _workers;
	std::atomic<int> _inFlight{0};
	Poco::Net::ServerSocket _listener;
	std::vector<Poco::Net::ServerSocket> _endpointListeners;
	std::vector<std::shared_ptr<WebSocketEndpointImpl>> _endpoints;
	Poco::UInt16 _port = 0;
	std::vector<std::unique_ptr<EventLoop>> _loops;
	bool _running = false;
};

} } // namespace Palaver::Server

#endif
