#include "Settings.h"
#include <Poco/Util/AbstractConfiguration.h>
#include <cmath>

namespace Palaver {
namespace Ws {

namespace {

const double MAX_SECONDS = 86400;
const double MIN_SECONDS = 0.001;

double seconds(Poco::Int64 milliseconds)
{
	return static_cast<double>(milliseconds) / 1000.0;
}

Poco::Int64 milliseconds(const Poco::Util::AbstractConfiguration& config, const std::string& key)
{
	return static_cast<Poco::Int64>(std::llround(config.getDouble(key) * 1000.0));
}

std::size_t size(const Poco::Util::AbstractConfiguration& config, const std::string& key)
{
	return static_cast<std::size_t>(config.getUInt64(key));
}

} // namespace

std::vector<Setting> Settings::declarations()
{
	const Settings s;
	return {
		Setting::string("address", s.address, "address of the plugin's own listener"),
		Setting::integer("port", s.port, 0, 65535, "port of the plugin's own listener (0: any free one)"),
		Setting::boolean("listen", s.listen, "open the plugin's own listener at all"),
		Setting::boolean("http_route", s.httpRoute, "answer GET /ws on the HTTP port"),
		Setting::integer("workers", s.workers, 1, 64, "threads for token look-ups, replays, read receipts"),
		Setting::integer("worker_queue", static_cast<Poco::Int64>(s.workerQueue), 1, 10000000, "tasks waiting for a worker, at most"),
		Setting::integer("max_frame", static_cast<Poco::Int64>(s.maxFrame), 125, 64 * 1024 * 1024, "largest client message in bytes (beyond: 1009)"),
		Setting::integer("max_pending", static_cast<Poco::Int64>(s.maxPending), 1024, 1024 * 1024 * 1024, "unsent output per connection in bytes (beyond: 1013)"),
		Setting::number("ping_interval", seconds(s.pingIntervalMs), MIN_SECONDS, MAX_SECONDS, "seconds between pings"),
		Setting::number("auth_timeout", seconds(s.authTimeoutMs), MIN_SECONDS, MAX_SECONDS, "seconds a connection has to authenticate"),
		Setting::number("handshake_timeout", seconds(s.handshakeTimeoutMs), MIN_SECONDS, MAX_SECONDS, "seconds for the upgrade request on the plugin's own port"),
		Setting::number("close_timeout", seconds(s.closeTimeoutMs), MIN_SECONDS, MAX_SECONDS, "seconds to wait for the peer's close frame"),
		Setting::integer("replay_max", static_cast<Poco::Int64>(s.replayMax), 0, 100000, "messages replayed at most for ?since"),
		Setting::boolean("presence", s.presence, "send presence frames at all"),
		Setting::oneOf("presence_scope", "conversations", {"conversations", "all"},
			"who hears of a user's presence: conversations (who shares a chat with them, and presence subscribers) or all (every connection, PROTOCOL.md Part 1)"),
		Setting::integer("presence_list_max", static_cast<Poco::Int64>(s.presenceListMax), 0, 1000000, "presence frames after ready, at most"),
		Setting::number("rate_limit", s.rateLimit, 0.001, 1000000, "client frames per second and user"),
		Setting::number("rate_burst", s.rateBurst, 1, 1000000, "burst of the client frames' token bucket"),
		Setting::integer("send_buffer", s.sendBuffer, 0, 64 * 1024 * 1024, "SO_SNDBUF of upgraded sockets in bytes (0: the kernel's default)"),
		Setting::integer("max_connections", static_cast<Poco::Int64>(s.maxConnections), 0, 100000000, "open connections of both endpoints at most, beyond: 503 (0: RLIMIT_NOFILE only)"),
	};
}

Settings Settings::fromConfig(const Poco::Util::AbstractConfiguration& config)
{
	Settings s;
	s.address = config.getString("address");
	s.port = static_cast<Poco::UInt16>(config.getUInt("port"));
	s.listen = config.getBool("listen");
	s.httpRoute = config.getBool("http_route");
	s.workers = config.getInt("workers");
	s.workerQueue = size(config, "worker_queue");
	s.maxFrame = size(config, "max_frame");
	s.maxPending = size(config, "max_pending");
	s.pingIntervalMs = milliseconds(config, "ping_interval");
	s.authTimeoutMs = milliseconds(config, "auth_timeout");
	s.handshakeTimeoutMs = milliseconds(config, "handshake_timeout");
	s.closeTimeoutMs = milliseconds(config, "close_timeout");
	s.replayMax = size(config, "replay_max");
	s.presence = config.getBool("presence");
	s.presenceScope = config.getString("presence_scope") == "all" ? PresenceScope::All : PresenceScope::Conversations;
	s.presenceListMax = size(config, "presence_list_max");
	s.rateLimit = config.getDouble("rate_limit");
	s.rateBurst = config.getDouble("rate_burst");
	s.sendBuffer = config.getInt("send_buffer");
	s.maxConnections = size(config, "max_connections");
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
