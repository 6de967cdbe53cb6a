//
// Hub.h
//
// Who is connected: user id -> that user's connections (the core's WebSocket
// handles and their chat state). Presence, the rate limit, ended sessions,
// and frames keyed by a message id (held during a replay); offers
// Palaver::Pusher.
//

#ifndef Palaver_Ws_Hub_INCLUDED
#define Palaver_Ws_Hub_INCLUDED

#include "ChatConnection.h"
#include "PresenceAudience.h"
#include "palaver/Counter.h"
#include "palaver/WebSocketEndpoint.h"
#include "palaver/services/Pusher.h"
#include <Poco/Types.h>
#include <cstdint>
#include <deque>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace Palaver {
namespace Ws {

struct ReloadState;
struct Settings;

/// Thread-safe; never blocks on a connection (frames are queued on the
/// connections' I/O threads by the core).
class Hub: public Pusher
{
public:
	/// An authenticated connection.
	struct Member
	{
		WebSocket::Ptr socket;
		std::shared_ptr<ChatConnection> connection;
	};

	/// How long (ms) and how many ended sessions the hub remembers, so that a
	/// connection whose token look-up raced the end of its session is closed
	/// as soon as it registers.
	static constexpr Poco::Int64 ENDED_MEMORY_MS = 60000;
	static constexpr std::size_t ENDED_MEMORY_MAX = 10000;

	Hub(const Settings& settings, Counter& framesOut);

	/// The endpoint whose connections these are: set before palaverd serves,
	/// cleared at stop (nothing is sent from then on, so that a late caller,
	/// e.g. the messages writer's callback, never uses a handle after stop).
	void setEndpoint(std::shared_ptr<WebSocketEndpoint> endpoint);

	/// What add() tells the new connection.
	struct Registration
	{
		/// Users online now, at most listMax of them (the user first): the
		/// new connection's presence list. With presence_scope =
		/// conversations, those who share a chat with the user, once the
		/// user's chats are known here; until then empty, and the list
		/// follows from installChats().
		std::vector<Poco::Int64> online;
		/// Not 0: the user's first connection here with presence_scope =
		/// conversations: load their chats on a worker and hand them to
		/// installChats() with this ticket.
		std::uint64_t loadTicket = 0;
	};

	/// Registers an authenticated connection (on its I/O thread);
	/// broadcasts presence when this is the user's first connection (not to
	/// the new one).
	Registration add(Poco::Int64 userId, const Member& member, std::size_t listMax);

	/// The chats of a user whose first connection add() registered (on a
	/// worker, PresenceAudience::load()): from now on the user hears of the
	/// presence of those who share a chat with them, and each of the user's
	/// connections gets its presence list (at most listMax). False when
	/// they may be stale (not with force): load them again.
	bool installChats(Poco::Int64 userId, std::uint64_t ticket, const PresenceAudience::Chats& chats,
		std::size_t listMax, bool force);

	/// A connection's presence frame: its subscription (at most
	/// PresenceAudience::SUBSCRIBE_MAX ids, replacing the last one) and, at
	/// once, the current presence of each id (on its I/O thread).
	void subscribe(Poco::Int64 ownerId, const WebSocket::Ptr& socket, const std::vector<Poco::Int64>& userIds);

	/// A direct message between a and b was stored (any node): with
	/// presence_scope = conversations they share a chat now; a side
	/// connected here that did not know the other gets its presence.
	void partnersMet(Poco::Int64 a, Poco::Int64 b);

	/// "group.members": the group's members now (empty: deleted).
	void groupMembers(Poco::Int64 groupId, const std::vector<Poco::Int64>& memberIds);

	/// Closes (4001) every connection of the user opened with one of
	/// sessions ("session.ended", from any node), and remembers the sessions
	/// for a while: a connection of theirs that registers later is closed too.
	void endSessions(Poco::Int64 userId, const std::vector<std::string>& sessions);

	/// True when the connection's session has ended: known here as soon as
	/// endSessions() returns, possibly before the connection's I/O thread has
	/// handled the close, so that no frame of an ended session is acted on.
	bool sessionEnded(Poco::Int64 userId, std::uint64_t socket) const;

	/// Unregisters; broadcasts presence offline after the user's last one.
	void remove(Poco::Int64 userId, std::uint64_t socket);

	/// Queues frame on every connection of the users (each connection once).
	/// messageId: the message (or event) id the frame carries, for the
	/// connections catching up with ?since (ChatConnection::live), or 0.
	void deliver(std::initializer_list<Poco::Int64> userIds, const WebSocketFrame::Ptr& frame, Poco::Int64 messageId = 0);

	/// Queues frame on one connection; nothing once the endpoint is cleared (at stop).
	void sendTo(const WebSocket::Ptr& socket, const WebSocketFrame::Ptr& frame);

	/// Queues frame on every authenticated connection.
	void deliverAll(const WebSocketFrame::Ptr& frame);

	/// Token bucket per user: true when a client frame may be handled now.
	bool allowFrame(Poco::Int64 userId);

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

	// A run-time reload (ReloadState): what the next version's hub needs of
	// this one's (after the plugin's stop()), and, in the next version before
	// its start(), what it takes over: the sessions ended lately, the users
	// of other nodes, and this node's users, who count as online on the node
	// PREVIOUS_VERSION until their connections resume (no second "online"
	// for them) or endPreviousVersion() (then "offline" for those whose
	// connections closed during the reload, which no version saw close).
	// The subscriptions go back with their connections (ChatHandler::onResume()).

	static constexpr const char* PREVIOUS_VERSION = "(previous version of ws)";

	/// Adds the subscriptions, this node's users, ended sessions and other nodes' users.
	void saveTo(ReloadState& state) const;
	/// Takes the ended sessions, other nodes' users and the previous version's.
	void restoreFrom(const ReloadState& state);
	/// The previous version's connections have had their time to resume:
	/// its users without a connection now are offline.
	void endPreviousVersion();

private:
	struct Entry
	{
		std::vector<Member> members;
		double tokens = 0;
		Poco::Int64 refilled = 0;  /// ms
	};

	/// Queues frame on the connection, or, with batch, adds the connection to
	/// it when the frame goes straight to its output (the caller sends the
	/// batch with WebSocketEndpoint::sendToEach() under the lock).
	void sendLocked(const Member& member, const WebSocketFrame::Ptr& frame, Poco::Int64 messageId,
		std::vector<WebSocket::Ptr>* batch = nullptr);
	/// sendLocked() for every connection of the user.
	void deliverLocked(Poco::Int64 userId, const WebSocketFrame::Ptr& frame, Poco::Int64 messageId,
		std::vector<WebSocket::Ptr>* batch = nullptr);
	void broadcastPresenceLocked(Poco::Int64 userId, bool online, std::uint64_t exclude);
	/// The user and the users online who share a chat with them, at most listMax.
	std::vector<Poco::Int64> partnersOnlineLocked(Poco::Int64 userId, std::size_t listMax) const;
	bool onlineLocked(Poco::Int64 userId) const;
	/// The node no longer holds the user.
	void forgetRemoteLocked(const std::string& node, Poco::Int64 userId);
	void rememberEndedLocked(const std::string& session, Poco::Int64 now);
	static Poco::Int64 nowMs();

	const bool _presence;
	const bool _conversations;  /// presence_scope = conversations
	const double _rate;
	const double _burst;
	Counter& _framesOut;
	mutable std::mutex _mutex;
	std::shared_ptr<WebSocketEndpoint> _endpoint;
	std::unordered_map<Poco::Int64, Entry> _users;
	PresenceListener _listener;
	PresenceAudience _audience;  /// with _conversations
	std::unordered_map<Poco::Int64, std::unordered_set<std::string>> _remote;  /// user -> other nodes holding it
	std::unordered_set<std::string> _ended;                 /// sessions ended lately
	std::deque<std::pair<Poco::Int64, std::string>> _endedOrder;  /// (ms, session), oldest first
};

} } // namespace Palaver::Ws

#endif
