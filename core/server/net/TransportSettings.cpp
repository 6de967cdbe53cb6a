#include "TransportSettings.h"
#include <algorithm>
#include <thread>

namespace Palaver {
namespace Server {

TransportSettings TransportSettings::fromConfig(const Poco::Util::AbstractConfiguration& config)
{
	const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
	TransportSettings settings;
	settings.address = Poco::Net::SocketAddress(config.getString("http.address", "127.0.0.1"),
		static_cast<Poco::UInt16>(config.getUInt("http.port", 8080)));
	const unsigned ioThreads = config.getUInt("http.io_threads", 0);
	settings.ioThreads = ioThreads > 0 ? ioThreads : cores;
	settings.workers = std::max(1u, config.getUInt("http.workers", 64));
	settings.minWorkers = std::min(settings.workers, std::max(1u, config.getUInt("http.min_workers", 4)));
	settings.maxQueued = std::max<std::size_t>(1, config.getUInt64("http.max_queued", 1024));
	settings.readTimeoutMs = std::max(0, config.getInt("http.request_read_timeout", 20)) * Poco::Int64(1000);
	settings.keepAliveMs = std::max(1, config.getInt("http.keep_alive_timeout", 15)) * Poco::Int64(1000);
	settings.writeTimeoutMs = std::max(1, config.getInt("http.request_timeout", 30)) * Poco::Int64(1000);
	settings.maxBodySize = config.getUInt64("http.max_body_size", 65536);
	settings.limits.maxHeadSize = std::max<std::size_t>(1024, config.getUInt64("http.max_head_size", 65536));
	settings.limits.maxFields = config.getUInt("http.max_fields", 100);
	return settings;
}

} } // namespace Palaver::Server
