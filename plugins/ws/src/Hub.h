//
// Hub.h
//
// Who is connected where: user id -> that user's connections (loop, id).
// Fans frames out by posting one command per loop; offers Palaver::Pusher.
//

#ifndef Palaver_Ws_Hub_INCLUDED
#define Palaver_Ws_Hub_INCLUDED

#include "Connection.h"
#include "palaver/services/Pusher.h"
#include <Poco/Types.h>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <unordered_set>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace Palaver {
namespace Ws {

class IoLoop;
struct Settings;

class Hub: public Pusher
{
public:
	struct Ref
	{
		unsigned loop;
		std::uint64_t connection;
		std::string session;  /// the session the connection authenticated with (UserDirectory::sessionId)
	};

	/// The close code of a connection whose session ended (PROTOCOL.md).
	static constexpr std::uint16_t SESSION_ENDED = 4001;

	/// How long (ms) and how many ended sessions the hub remembers, so that a
	/// connection whose token look-up raced the end of its session is closed
	/// as soon as it registers.
	static constexpr Poco::Int64 ENDED_MEMORY_MS = 60000;
	static constexpr std::size_t ENDED_MEMORY_MAX = 10000;

	explicit Hub(const Settings& settings);

	/// Set before the loops run; cleared (nothing delivered) at stop.
	void setLoops(std::vector<IoLoop*> loops);

	/// Registers an authenticated connection. Returns the users online now,
	/// at most listMax of them (for the new connection's presence list);
	/// broadcasts presence when this is the user's first connection (not to
	/// the new one).
	std::vector<Poco::Int64> add(Poco::Int64 userId, Ref ref, std::size_t listMax);

	/// Closes (SESSION_ENDED) every connection of the user opened with one of
	/// sessions ("session.ended", from any node), and remembers the sessions
	/// for a while: a connection of theirs that registers later is closed too.
	void endSessions(Poco::Int64 userId, const std::vector<std::string>& sessions);

	/// True when the connection's session has ended: known here as soon as
	/// endSessions() returns, possibly before the connection's loop has
	/// handled the close, so that no frame of an ended session is acted on.
	bool sessionEnded(Poco::Int64 userId, std::uint64_t connection) const;

	/// Unregisters; broadcasts presence offline after the user's last one.
	void remove(Poco::Int64 userId, Ref ref);

	/// Queues frame on every connection of the users (each connection once).
	void deliver(std::initializer_list<Poco::Int64> userIds, const FrameBytes& frame, Poco::Int64 messageId = 0);

	/// Queues frame on one connection; nothing once the loops are cleared
	/// (at stop), so that a late caller never reaches a stopped loop.
	/// learnUser: a user id the connection's loop may remember as existing.
	void sendTo(Ref ref, const FrameBytes& frame, Poco::Int64 learnUser = 0);

	/// Queues frame on every authenticated connection but exclude.
	void deliverAll(const FrameBytes& frame, std::uint64_t exclude = 0);

	/// Token bucket per user: true when a client frame may be handled now.
	bool allowFrame(Poco::Int64 userId);

	std::size_t onlineCount() const;

	// Pusher
	void pushToUser(Poco::Int64 userId, const std::string& frame) override;
	void broadcast(const std::string& frame) override;
	bool isOnline(Poco::Int64 userId) const override;
	void pushToUsers(const std::vector<Poco::Int64>& userIds, const std::string& frame, Poco::Int64 messageId) override;

	static std::string presenceJson(Poco::Int64 userId, bool online);

	// Presence across nodes ([cluster]): a user is online while it has a
	// connection here or on another node.

	/// Called, under the hub's lock, when a user gets its first or loses its
	/// last connection on this node (so it must not call back into the hub).
	using PresenceListener = std::function<void(Poco::Int64 userId, bool online)>;
	void setPresenceListener(PresenceListener listener);

	/// Another node says a user has (or no longer has) connections there.
	void remotePresence(const std::string& node, Poco::Int64 userId, bool online);

	/// Everything another node holds now (it started or reconnected): replaces
	/// what it said before; presence frames go out for the differences only.
	void replaceNode(const std::string& node, const std::vector<Poco::Int64>& userIds);

	/// The users connected here, taken under the lock and given to snapshot
	/// while it is held (so that later changes follow it in order).
	void announce(const std::function<void(const std::vector<Poco::Int64>&)>& snapshot);

private:
	struct Entry
	{
		std::vector<Ref> refs;
		double tokens = 0;
		Poco::Int64 refilled = 0;  /// ms
	};

	/// One mailbox entry for one connection (nothing once the loops are cleared).
	void postLocked(Ref ref, const FrameBytes& frame, Poco::Int64 messageId, Poco::Int64 learnUser);
	/// postLocked() for every connection of the user.
	void deliverLocked(Poco::Int64 userId, const FrameBytes& frame, Poco::Int64 messageId);
	void broadcastLocked(const FrameBytes& frame, std::uint64_t exclude);
	void broadcastPresenceLocked(Poco::Int64 userId, bool online, std::uint64_t exclude);
	bool onlineLocked(Poco::Int64 userId) const;
	void closeLocked(const Ref& ref);
	void rememberEndedLocked(const std::string& session, Poco::Int64 now);
	static Poco::Int64 nowMs();

	const bool _presence;
	const double _rate;
	const double _burst;
	mutable std::mutex _mutex;
	std::unordered_map<Poco::Int64, Entry> _users;
	std::vector<IoLoop*> _loops;
	PresenceListener _listener;
	std::unordered_map<Poco::Int64, std::unordered_set<std::string>> _remote;  /// user -> other nodes holding it
	std::unordered_set<std::string> _ended;                 /// sessions ended lately
	std::deque<std::pair<Poco::Int64, std::string>> _endedOrder;  /// (ms, session), oldest first
};

} } // namespace Palaver::Ws

#endif
