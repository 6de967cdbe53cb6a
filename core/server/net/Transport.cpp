#include "Transport.h"
#include "EventLoop.h"
#include <Poco/Thread.h>
#include <Poco/Timestamp.h>

namespace Palaver {
namespace Server {

namespace {

const int LISTEN_BACKLOG = 1024;

} // namespace

Transport::Transport(const Poco::Util::AbstractConfiguration& config, RouterImpl& router, MetricsImpl& metrics,
	const OriginPolicy& origins):
	_settings(TransportSettings::fromConfig(config)),
	_screen(origins, Poco::Logger::get("palaver.http")),
	_dispatcher(router, metrics, _screen, _settings.maxBodySize),
	_workers(_settings.minWorkers, _settings.maxQueued, "http-worker", _settings.workers)
{
	// SO_REUSEADDR for quick restarts, but never SO_REUSEPORT (Poco 1.11's
	// one-flag bind() sets both): a second palaverd on a busy port must fail.
	_listener.bind(_settings.address, true, false);
	_listener.listen(LISTEN_BACKLOG);
	_listener.setBlocking(false);
	_port = _listener.address().port();
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
}

Poco::UInt16 Transport::port() const
{
	return _port;
}

} } // namespace Palaver::Server
