//
// Settings.h
//

#ifndef Palaver_Ws_Settings_INCLUDED
#define Palaver_Ws_Settings_INCLUDED

#include "palaver/Setting.h"
#include "palaver/WebSocketEndpoint.h"
#include <Poco/Types.h>
#include <cstddef>
#include <string>
#include <vector>

namespace Poco { namespace Util { class AbstractConfiguration; } }

namespace Palaver {
namespace Ws {

/// The [ws] section, declared to palaverd (declarations(): types, ranges,
/// defaults, which are these members' initial values). Durations are
/// configured in seconds (fractions allowed) and kept in ms.
struct Settings
{
	/// Who hears of a user's presence (PROTOCOL.md Part 2, "Presence at scale").
	enum class PresenceScope
	{
		Conversations,  /// the users who share a chat with them, and subscribers
		All             /// every authenticated connection (Part 1)
	};

	std::string address = "127.0.0.1";
	Poco::UInt16 port = 9000;
	bool listen = true;                  /// own listener on address:port
	bool httpRoute = true;               /// GET /ws on the HTTP port
	int workers = 2;                     /// threads for token look-ups, chatmsg validation and replays (storing does not hold one: postAsync)
	std::size_t workerQueue = 10000;     /// tasks waiting for a worker, at most
	std::size_t maxFrame = 65536;        /// largest client message (bytes) -> 1009
	std::size_t maxPending = 1048576;    /// unsent output per connection (bytes) -> 1013
	Poco::Int64 pingIntervalMs = 30000;
	Poco::Int64 authTimeoutMs = 10000;
	Poco::Int64 handshakeTimeoutMs = 10000;
	Poco::Int64 closeTimeoutMs = 2000;   /// wait for the peer's close frame / flush at shutdown
	std::size_t replayMax = 1000;
	bool presence = true;                /// presence frames at all
	PresenceScope presenceScope = PresenceScope::Conversations;
	std::size_t presenceListMax = 1000;  /// presence frames after ready, at most
	double rateLimit = 50.0;             /// client frames per second and user
	double rateBurst = 100.0;
	int sendBuffer = 0;                  /// SO_SNDBUF of upgraded sockets, 0: kernel default
	std::size_t maxConnections = 0;      /// 0: no limit besides RLIMIT_NOFILE

	/// PluginInfo::settings of the ws plugin.
	static std::vector<Setting> declarations();

	/// Reads a section palaverd has checked against declarations() and
	/// completed with their defaults.
	static Settings fromConfig(const Poco::Util::AbstractConfiguration& config);

	/// What the core enforces for the endpoint: framing, output, pings,
	/// handshake and close time-outs, connections.
	WebSocketEndpoint::Options endpointOptions() const;
};

} } // namespace Palaver::Ws

#endif
