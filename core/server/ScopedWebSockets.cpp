#include "ScopedWebSockets.h"
#include <Poco/Timestamp.h>
#include <algorithm>

namespace Palaver {
namespace Server {

namespace {

/// What is left of timeout since started (never negative).
Poco::Timespan left(const Poco::Timespan& timeout, const Poco::Timestamp& started)
{
	return Poco::Timespan(std::max<Poco::Timespan::TimeDiff>(0, timeout.totalMicroseconds() - started.elapsed()));
}

} // namespace

ScopedWebSockets::ScopedWebSockets(std::shared_ptr<WebSocketsImpl> webSockets, Endpoints adopted, Poco::Logger& logger):
	_webSockets(std::move(webSockets)),
	_adopted(std::move(adopted)),
	_logger(logger)
{
}

bool ScopedWebSockets::sameOptions(const WebSocketEndpoint::Options& a, const WebSocketEndpoint::Options& b)
{
	return a.maxMessage == b.maxMessage && a.maxPending == b.maxPending && a.pingIntervalMs == b.pingIntervalMs &&
		a.handshakeTimeoutMs == b.handshakeTimeoutMs && a.closeTimeoutMs == b.closeTimeoutMs &&
		a.maxConnections == b.maxConnections && a.sendBuffer == b.sendBuffer;
}

std::shared_ptr<WebSocketEndpoint> ScopedWebSockets::create(std::shared_ptr<WebSocketHandler> handler,
	const WebSocketEndpoint::Options& options)
{
	std::lock_guard<std::mutex> lock(_mutex);
	std::shared_ptr<WebSocketEndpointImpl> endpoint;
	if (_made.size() < _adopted.size())
	{
		endpoint = _adopted[_made.size()];
		endpoint->adopt(std::move(handler));
		// Read on every I/O thread without a lock, some built into each
		// connection (maxMessage, sendBuffer): they stay until a restart.
		if (!sameOptions(options, endpoint->options()))
			_logger.warning("WebSocket endpoint %z keeps its options across the reload: changed ones apply after a restart", _made.size() + 1);
	}
	else endpoint = _webSockets->make(std::move(handler), options);
	_made.push_back(endpoint);
	return endpoint;
}

void ScopedWebSockets::detach()
{
	for (const auto& endpoint: endpoints()) endpoint->detach();
}

bool ScopedWebSockets::waitAccepts(const Poco::Timespan& timeout)
{
	const Poco::Timestamp started;
	for (const auto& endpoint: endpoints())
	{
		if (!endpoint->waitAccepts(left(timeout, started))) return false;
	}
	return true;
}

bool ScopedWebSockets::dropContexts(const Poco::Timespan& timeout)
{
	const Poco::Timestamp started;
	for (const auto& endpoint: endpoints())
	{
		if (!endpoint->dropContexts(left(timeout, started))) return false;
	}
	return true;
}

void ScopedWebSockets::resume()
{
	for (const auto& endpoint: endpoints()) endpoint->resume();
}

ScopedWebSockets::Endpoints ScopedWebSockets::endpoints() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	Endpoints all = _made;
	for (std::size_t i = _made.size(); i < _adopted.size(); ++i) all.push_back(_adopted[i]);
	return all;
}

} } // namespace Palaver::Server
