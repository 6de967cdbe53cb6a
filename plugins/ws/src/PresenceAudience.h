//
// PresenceAudience.h
//
// Who hears of a user's presence with [ws] presence_scope = conversations
// (PROTOCOL.md Part 2, "Presence at scale"): the users who share a chat with
// them, known for the users connected to this node, and the connections
// that subscribed to them with a presence frame.
//

#ifndef Palaver_Ws_PresenceAudience_INCLUDED
#define Palaver_Ws_PresenceAudience_INCLUDED

#include "palaver/WebSocket.h"
#include <Poco/Types.h>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace Palaver {

class GroupDirectory;
class MessageStore;

namespace Ws {

/// The chats of the users connected here: for each of them (a "local" user)
/// their direct partners and their groups, and the members of those groups.
/// Presence of any user (of this node or another) goes to the local users
/// who share a chat with them, found through reverse indexes, so a change
/// costs what it delivers, not the number of users.
///
/// Not thread-safe: the Hub calls it under its lock. load() reads the
/// database and runs on a worker, without the lock.
class PresenceAudience
{
public:
	/// Direct partners read per user, at most (MessageStore::partnersOf).
	static constexpr std::size_t PARTNERS_MAX = 10000;
	/// Ids one presence frame may subscribe to (PROTOCOL.md).
	static constexpr std::size_t SUBSCRIBE_MAX = 256;

	/// A user's chats as read from the stores.
	struct Chats
	{
		std::vector<Poco::Int64> partners;
		std::vector<std::pair<Poco::Int64, std::vector<Poco::Int64>>> groups;  /// (group, members)
	};

	/// On a worker: the user's chats from the message store and, when the
	/// groups plugin is loaded, the group directory (either may be null).
	/// Throws what they throw.
	static Chats load(MessageStore* store, GroupDirectory* groups, Poco::Int64 userId);

	/// The user's first connection registered here: their chats are to be
	/// loaded. Changes seen until install() are remembered. Returns the
	/// ticket install() needs.
	std::uint64_t expect(Poco::Int64 userId);

	enum class Installed
	{
		Taken,     /// the user's chats are known from now on
		Stale,     /// a group of the user changed while they were read: load again
		Outdated   /// not the ticket of the user's current expect() (they left): dropped
	};

	/// The chats loaded for the ticket of expect(); with force, taken even
	/// when they may be stale.
	Installed install(Poco::Int64 userId, std::uint64_t ticket, const Chats& chats, bool force);

	/// True when install() has taken the user's chats.
	bool loaded(Poco::Int64 userId) const;

	/// The user's last connection here closed.
	void forget(Poco::Int64 userId);

	/// A direct message between local and partner (called for each side):
	/// true when it made partner a new partner of local, loaded here (who
	/// should then hear of partner's presence).
	bool addPartner(Poco::Int64 local, Poco::Int64 partner);

	/// "group.members": the group's members now (empty: it was deleted).
	void setGroupMembers(Poco::Int64 groupId, const std::vector<Poco::Int64>& memberIds);

	/// Adds the local users who share a chat with userId to out.
	void watchersOf(Poco::Int64 userId, std::unordered_set<Poco::Int64>& out) const;

	/// The users a loaded local user shares a chat with (themselves excluded).
	std::unordered_set<Poco::Int64> partnersOf(Poco::Int64 userId) const;

	/// A subscribing connection of a user.
	struct Subscriber
	{
		Poco::Int64 ownerId = 0;
		WebSocket::Ptr socket;
	};

	/// A presence frame's list replaces the connection's last one.
	void subscribe(const Subscriber& subscriber, const std::vector<Poco::Int64>& userIds);

	/// The connection closed.
	void unsubscribe(std::uint64_t socketId);

	/// Every connection's subscription: (socket id, its user ids).
	std::vector<std::pair<std::uint64_t, std::vector<Poco::Int64>>> subscriptions() const;

	/// Calls send for each connection subscribed to userId.
	template <typename Send>
	void forEachSubscriber(Poco::Int64 userId, Send send) const
	{
		auto it = _subscribers.find(userId);
		if (it == _subscribers.end()) return;
		for (std::uint64_t socketId: it->second) send(_subscriptions.at(socketId).subscriber);
	}

private:
	struct Local
	{
		std::unordered_set<Poco::Int64> partners;
		std::unordered_set<Poco::Int64> groups;
	};

	struct Pending
	{
		std::uint64_t ticket = 0;
		bool groupsChanged = false;
		std::vector<Poco::Int64> partnersSeen;  /// direct partners made meanwhile
	};

	struct TrackedGroup
	{
		std::vector<Poco::Int64> members;
		std::size_t localMembers = 0;  /// loaded local users among them
	};

	struct Subscription
	{
		Subscriber subscriber;
		std::vector<Poco::Int64> userIds;
	};

	void joinGroup(Poco::Int64 local, Poco::Int64 groupId, const std::vector<Poco::Int64>* members);
	void leaveGroup(Poco::Int64 local, Poco::Int64 groupId);
	void untrack(Poco::Int64 groupId);
	/// Removes value from index[key], and the key once its set is empty.
	template <typename Key, typename Value>
	static void eraseFrom(std::unordered_map<Key, std::unordered_set<Value>>& index, Key key, Value value)
	{
		auto it = index.find(key);
		if (it == index.end()) return;
		it->second.erase(value);
		if (it->second.empty()) index.erase(it);
	}

	std::uint64_t _tickets = 0;
	std::unordered_map<Poco::Int64, Pending> _pending;  /// registered, chats being loaded
	std::unordered_map<Poco::Int64, Local> _local;      /// loaded
	std::unordered_map<Poco::Int64, std::unordered_set<Poco::Int64>> _directWatchers;  /// user -> local users with a direct chat with them
	std::unordered_map<Poco::Int64, TrackedGroup> _groups;  /// groups with a local member
	std::unordered_map<Poco::Int64, std::unordered_set<Poco::Int64>> _memberOf;  /// user -> tracked groups they are in
	std::unordered_map<std::uint64_t, Subscription> _subscriptions;  /// socket id ->
	std::unordered_map<Poco::Int64, std::unordered_set<std::uint64_t>> _subscribers;  /// user -> socket ids
};

} } // namespace Palaver::Ws

#endif
