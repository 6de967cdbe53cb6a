#include "Settings.h"
#include <Poco/Exception.h>
#include <Poco/Util/AbstractConfiguration.h>
#include <cmath>

namespace Palaver {
namespace Ws {

namespace {

Poco::Int64 milliseconds(const Poco::Util::AbstractConfiguration& config, const std::string& key, Poco::Int64 defaultMs)
{
	const double seconds = config.getDouble(key, static_cast<double>(defaultMs) / 1000.0);
	if (!(seconds > 0) || seconds > 86400)
		throw Poco::InvalidArgumentException("[ws] " + key + " must be between 0 and 86400 seconds");
	return static_cast<Poco::Int64>(std::llround(seconds * 1000.0));
}

std::size_t positive(const Poco::Util::AbstractConfiguration& config, const std::string& key, std::size_t defaultValue, std::size_t min, std::size_t max)
{
	const Poco::UInt64 value = config.getUInt64(key, defaultValue);
	if (value < min || value > max)
		throw Poco::InvalidArgumentException("[ws] " + key + " must be between " + std::to_string(min) + " and " + std::to_string(max));
	return static_cast<std::size_t>(value);
}

} // namespace

Settings Settings::fromConfig(const Poco::Util::AbstractConfiguration& config)
{
	Settings s;
	s.address = config.getString("address", s.address);
	s.port = static_cast<Poco::UInt16>(positive(config, "port", s.port, 0, 65535));
	s.listen = config.getBool("listen", s.listen);
	s.httpRoute = config.getBool("http_route", s.httpRoute);
	s.workers = static_cast<int>(positive(config, "workers", s.workers, 1, 64));
	s.workerQueue = positive(config, "worker_queue", s.workerQueue, 1, 10000000);
	s.maxFrame = positive(config, "max_frame", s.maxFrame, 125, 64 * 1024 * 1024);
	s.maxPending = positive(config, "max_pending", s.maxPending, 1024, 1024 * 1024 * 1024);
	s.pingIntervalMs = milliseconds(config, "ping_interval", s.pingIntervalMs);
	s.authTimeoutMs = milliseconds(config, "auth_timeout", s.authTimeoutMs);
	s.handshakeTimeoutMs = milliseconds(config, "handshake_timeout", s.handshakeTimeoutMs);
	s.closeTimeoutMs = milliseconds(config, "close_timeout", s.closeTimeoutMs);
	s.replayMax = positive(config, "replay_max", s.replayMax, 0, 100000);
	s.presence = config.getBool("presence", s.presence);
	const std::string scope = config.getString("presence_scope", "conversations");
	if (scope == "conversations") s.presenceScope = PresenceScope::Conversations;
	else if (scope == "all") s.presenceScope = PresenceScope::All;
	else throw Poco::InvalidArgumentException("[ws] presence_scope must be conversations or all");
	s.presenceListMax = positive(config, "presence_list_max", s.presenceListMax, 0, 1000000);
	s.rateLimit = config.getDouble("rate_limit", s.rateLimit);
	s.rateBurst = config.getDouble("rate_burst", s.rateBurst);
	if (!(s.rateLimit > 0) || !(s.rateBurst >= 1))
		throw Poco::InvalidArgumentException("[ws] rate_limit must be > 0 and rate_burst >= 1");
	s.sendBuffer = static_cast<int>(positive(config, "send_buffer", 0, 0, 64 * 1024 * 1024));
	s.maxConnections = positive(config, "max_connections", 0, 0, 100000000);
	return s;
}

WebSocketEndpoint::Options Settings::endpointOptions() const
{
	WebSocketEndpoint::Options options;
	options.maxMessage = maxFrame;
	options.maxPending = maxPending;
	options.pingIntervalMs = pingIntervalMs;
	options.handshakeTimeoutMs = handshakeTimeoutMs;
	options.closeTimeoutMs = closeTimeoutMs;
	options.maxConnections = maxConnections;
	options.sendBuffer = sendBuffer;
	return options;
}

} } // namespace Palaver::Ws
