//
// Events.h
//
// The names of the events that the core and the shipped plugins publish on
// the EventBus, with their payloads. Subscribe and publish with these
// constants, never with the bare strings: a typo then fails to compile
// instead of never being called.
//
// Each constant's "///" lines are the event's entry in docs/PLUGINS.md
// ("Events"): scripts/plugin-docs.sh writes that table from this header, and
// the test docs-events fails when the committed table differs.
//

#ifndef Palaver_Events_INCLUDED
#define Palaver_Events_INCLUDED

namespace Palaver {

/// Event names (EventBus::publish(), EventBus::subscribe()). Payloads are
/// Poco::JSON::Object::Ptr; in a cluster, an event from another node carries
/// "_origin": its node id as well (docs/DEPLOYMENT.md).
class Events
{
public:
	/// auth, after the commit of a new account: the User JSON (User::toJson()).
	static constexpr const char* USER_REGISTERED = "user.registered";

	/// auth, after a profile change: the User JSON.
	static constexpr const char* USER_UPDATED = "user.updated";

	/// auth, after an account's deletion: {"id"}.
	static constexpr const char* USER_DELETED = "user.deleted";

	/// auth, after sessions were removed (log-out, revocation, password change, expiry): {"userId", "sessions": [public id, ...]}; a plugin holding connections of those sessions closes them.
	static constexpr const char* SESSION_ENDED = "session.ended";

	/// messages, once per message, after the commit, in id order, on the store's publisher thread, before the poster hears of it (its 201 or ack; never call a blocking MessageStore method there): the Message JSON (Message::toJson(); groupId set and toUserId null for a group message).
	static constexpr const char* MESSAGE_STORED = "message.stored";

	/// messages, once per edit or deletion, after the commit, on the changing thread: {"eventId", "message"} (MessageUpdate::toJson()).
	static constexpr const char* MESSAGE_UPDATED = "message.updated";

	/// ws, groups, messages: {"userId" or "userIds": [...], "frame"}; the ws plugin of every node delivers the frame to its sockets of those users.
	static constexpr const char* WS_DELIVER = "ws.deliver";

	/// ws, when a user gets its first or loses its last socket on this node, under the hub's lock (a subscriber must not call the Pusher): {"userId", "online"}.
	static constexpr const char* WS_PRESENCE = "ws.presence";

	/// ws, after "cluster.node_up": {"users": [...]}, every user online on this node.
	static constexpr const char* WS_PRESENCE_SNAPSHOT = "ws.presence.snapshot";

	/// groups, after every change of a group's members, on any node: {"groupId", "memberIds": [...]} (an empty list: the group was deleted); GroupDirectory::membersOf() reads the same list.
	static constexpr const char* GROUP_MEMBERS = "group.members";

	/// core ([cluster]), after each subscription to the cluster's channel, on every node: {} (plugins announce their state again).
	static constexpr const char* CLUSTER_NODE_UP = "cluster.node_up";

	/// core ([cluster]), on this node only, every [cluster] heartbeat seconds while subscribed: {"intervalMs"}.
	static constexpr const char* CLUSTER_HEARTBEAT = "cluster.heartbeat";
};

} // namespace Palaver

#endif
