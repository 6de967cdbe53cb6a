#include "Transport.h"
#include "EventLoop.h"
#include "WebSocketEndpointImpl.h"
#include <Poco/Thread.h>
#include <Poco/Timestamp.h>
#include <cerrno>
#include <cstring>
#include <sys/resource.h>

namespace Palaver {
namespace Server {

namespace {

const int LISTEN_BACKLOG = 1024;

Poco::UInt16 openListener(Poco::Net::ServerSocket& listener, const Poco::Net::SocketAddress& address)
{
	// SO_REUSEADDR for quick restarts, but never SO_REUSEPORT (Poco 1.11's
	// one-flag bind() sets both): a second palaverd on a busy port must fail.
	listener.bind(address, true, false);
	listener.listen(LISTEN_BACKLOG);
	listener.setBlocking(false);
	return listener.address().port();
}

// Every connection is a descriptor: as many as the hard limit allows.
void raiseFileLimit(Poco::Logger& logger)
{
	rlimit limit{};
	if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
	if (limit.rlim_cur < limit.rlim_max)
	{
		const rlim_t before = limit.rlim_cur;
		limit.rlim_cur = limit.rlim_max;
		if (::setrlimit(RLIMIT_NOFILE, &limit) == 0)
			logger.information("raised RLIMIT_NOFILE from %lu to %lu",
				static_cast<unsigned long>(before), static_cast<unsigned long>(limit.rlim_max));
		else
			logger.warning("cannot raise RLIMIT_NOFILE: %s", std::string(std::strerror(errno)));
	}
	else
	{
		logger.information("RLIMIT_NOFILE is %lu", static_cast<unsigned long>(limit.rlim_cur));
	}
}

} // namespace

Transport::Transport(const Poco::Util::AbstractConfiguration& config, RouterImpl& router, MetricsImpl& metrics,
	const OriginPolicy& origins):
	_settings(TransportSettings::fromConfig(config)),
	_screen(origins, Poco::Logger::get("palaver.http")),
	_dispatcher(router, metrics, _screen, origins, _settings.maxBodySize),
	_workers(_settings.minWorkers, _settings.maxQueued, "http-worker", _settings.workers)
{
	raiseFileLimit(Poco::Logger::get("palaver.http"));
	_port = openListener(_listener, _settings.address);
	for (unsigned i = 0; i < _settings.ioThreads; ++i)
	{
		_loops.emplace_back(new EventLoop(i, _settings, _dispatcher, _workers, _inFlight));
		_loops.back()->listen(_listener.impl()->sockfd());
	}
}

Transport::~Transport()
{
	stop(0);
}

void Transport::start()
{
	_workers.start();
	for (auto& loop: _loops) loop->start();
	_running = true;
}

void Transport::stop(int drainSeconds)
{
	if (!_running) return;
	_running = false;
	for (auto& loop: _loops) loop->stopListening();
	const Poco::Timestamp started;
	while (_inFlight > 0 && started.elapsed() < Poco::Timestamp::TimeDiff(drainSeconds) * 1000000)
		Poco::Thread::sleep(10);
	// Workers first: what they still finish is posted to loops that still run.
	_workers.stop();
	for (auto& loop: _loops) loop->stop();
	_listener.close();
	for (auto& listener: _endpointListeners) listener.close();
}

Poco::UInt16 Transport::port() const
{
	return _port;
}

void Transport::mount(const std::string& path, std::shared_ptr<WebSocketEndpointImpl> endpoint)
{
	if (_running) throw Poco::IllegalStateException("WebSocket endpoints are mounted before palaverd serves");
	_dispatcher.mount(path, std::move(endpoint));
}

Poco::UInt16 Transport::listen(const Poco::Net::SocketAddress& address, std::shared_ptr<WebSocketEndpointImpl> endpoint)
{
	if (_running) throw Poco::IllegalStateException("WebSocket listeners are opened before palaverd serves");
	Poco::Net::ServerSocket listener;
	const Poco::UInt16 port = openListener(listener, address);
	for (auto& loop: _loops) loop->listen(listener.impl()->sockfd(), endpoint.get());
	_endpointListeners.push_back(listener);
	_endpoints.push_back(std::move(endpoint));
	return port;
}

} } // namespace Palaver::Server
