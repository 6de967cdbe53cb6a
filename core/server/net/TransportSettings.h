//
// TransportSettings.h
//

#ifndef Palaver_Server_TransportSettings_INCLUDED
#define Palaver_Server_TransportSettings_INCLUDED

#include "HttpParser.h"
#include <Poco/Net/SocketAddress.h>
#include <Poco/Types.h>
#include <Poco/Util/AbstractConfiguration.h>
#include <cstddef>

namespace Palaver {
namespace Server {

/// The [http] keys the transport reads (docs/CONFIGURATION.md), read once at
/// start-up.
struct TransportSettings
{
	Poco::Net::SocketAddress address;
	unsigned ioThreads = 1;            /// [http] io_threads (0 in the file: as many as cores)
	unsigned workers = 64;             /// [http] workers: the most threads running handlers
	unsigned minWorkers = 4;           /// [http] min_workers: kept when idle
	std::size_t maxQueued = 1024;      /// complete requests waiting for a worker; beyond: 503
	Poco::Int64 readTimeoutMs = 20000; /// a request's head and body; 0: none
	Poco::Int64 keepAliveMs = 15000;   /// an idle keep-alive connection
	Poco::Int64 writeTimeoutMs = 30000;/// an answer, from its first byte to its last
	std::size_t maxBodySize = 65536;   /// unless the route sets its own
	HttpParser::Limits limits;

	static TransportSettings fromConfig(const Poco::Util::AbstractConfiguration& config);
};

} } // namespace Palaver::Server

#endif
