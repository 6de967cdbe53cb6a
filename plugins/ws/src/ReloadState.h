//
// ReloadState.h
//
// What one version of the ws plugin hands to the next across a run-time
// reload (Plugin::saveState() / restoreState()): what the core does not keep
// for a connection (it keeps its user and session) and what the Hub and
// BusEvents learnt from events that are not sent again.
//

#ifndef Palaver_Ws_ReloadState_INCLUDED
#define Palaver_Ws_ReloadState_INCLUDED

#include <Poco/Types.h>
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace Palaver {
namespace Ws {

/// Times are absolute: steady-clock milliseconds (one process, so they
/// hold across versions) or, for nodes, epoch microseconds.
///
/// Threads: made in WsPlugin::saveState() and read in restoreState(), on
/// the thread that reloads the plugin.
struct ReloadState
{
	/// One open connection of the previous version, by WebSocket::id().
	struct Connection
	{
		/// Not authenticated yet: closed at this deadline (0: none).
		Poco::Int64 authDeadlineMs = 0;
		/// Its last presence subscribe frame's ids (presence_scope = conversations).
		std::vector<Poco::Int64> subscribed;
	};

	std::unordered_map<std::uint64_t, Connection> connections;
	/// The users with a connection on this node (Hub::saveTo()): online until
	/// their connections have resumed, offline for those that closed meanwhile.
	std::vector<Poco::Int64> localUsers;
	/// Sessions ended lately (Hub::endSessions): (when, session), oldest first.
	std::vector<std::pair<Poco::Int64, std::string>> endedSessions;
	/// [cluster] presence: node -> its users, and when each node was last heard from.
	std::map<std::string, std::vector<Poco::Int64>> remoteUsers;
	std::map<std::string, Poco::Int64> nodesHeard;

	/// JSON with a version number.
	std::string toJson() const;

	/// A state toJson() wrote; an empty one for anything else (another
	/// version's format, garbage), which the next version starts without.
	static ReloadState fromJson(const std::string& json);

	static constexpr int FORMAT = 1;
};

} } // namespace Palaver::Ws

#endif
