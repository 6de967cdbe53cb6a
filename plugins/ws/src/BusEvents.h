//
// BusEvents.h
//
// What the ws plugin makes of the EventBus's events: frames for the
// connections of their users (through the Hub), sessions that end, and
// presence across the nodes of a cluster.
//

#ifndef Palaver_Ws_BusEvents_INCLUDED
#define Palaver_Ws_BusEvents_INCLUDED

#include "Runtime.h"
#include <Poco/JSON/Object.h>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace Palaver {
namespace Ws {

struct ReloadState;

/// Threads: every method on the publisher's thread (any thread; the
/// ClusterBus's for events of other nodes).
class BusEvents
{
public:
	explicit BusEvents(std::shared_ptr<Runtime> runtime);

	/// "user.registered" (frameType "usermsg") and "user.updated"
	/// ("userupdate"): the user's JSON plus "type" to every authenticated connection.
	void onUser(const Poco::JSON::Object::Ptr& user, const char* frameType);
	void onMessageStored(const Poco::JSON::Object::Ptr& message);

	/// "message.updated" {"eventId", "message"} of a direct message: a
	/// msgupdate frame to every connection of its sender and receiver (a
	/// group message's frames are the groups plugin's). On the publisher's thread.
	void onMessageUpdated(const Poco::JSON::Object::Ptr& payload);
	/// "session.ended" {"userId", "sessions": [...]}, from this node or
	/// another: the sessions' connections are closed with 4001.
	void onSessionEnded(const Poco::JSON::Object::Ptr& event);
	/// "ws.deliver" (Runtime::push, or a plugin's frame for several users:
	/// {"userIds": [...], "frame"}), from this node or another.
	void onPush(const Poco::JSON::Object::Ptr& push);

	/// "group.members" {"groupId", "memberIds"} (GroupDirectory::membersOf),
	/// from this node or another: whom presence goes to.
	void onGroupMembers(const Poco::JSON::Object::Ptr& event);

	/// [cluster] presence: "ws.presence" {"userId", "online"} when a user
	/// gets its first or loses its last connection on a node, and
	/// "ws.presence.snapshot" {"users": [...]} with all of a node's users after
	/// "cluster.node_up". Events of this node ("_origin" absent) are ignored:
	/// the hub already knows.
	void onPresence(const Poco::JSON::Object::Ptr& presence);
	void onPresenceSnapshot(const Poco::JSON::Object::Ptr& snapshot);
	void onNodeUp(const Poco::JSON::Object::Ptr& event);
	/// "cluster.heartbeat" {"intervalMs"} of this node: announce this node's
	/// users again, and forget the users of nodes silent for 3 intervals.
	void onHeartbeat(const Poco::JSON::Object::Ptr& event);

	/// A run-time reload: when each node was last heard from (after the
	/// plugin's stop(); before the next version's start()).
	void saveTo(ReloadState& state);
	void restoreFrom(const ReloadState& state);

private:
	void heardFrom(const std::string& node);

	const std::shared_ptr<Runtime> _runtime;
	std::mutex _nodesMutex;
	std::unordered_map<std::string, Poco::Int64> _nodesHeard;  /// node -> last presence event (µs)
};

} } // namespace Palaver::Ws

#endif
