//
// WsServer.h
//
// The ws plugin's machinery: the listener, the I/O loops, the workers, the
// hub, event fan-out and the GET /ws route of the HTTP port.
//

#ifndef Palaver_Ws_WsServer_INCLUDED
#define Palaver_Ws_WsServer_INCLUDED

#include "IoLoop.h"
#include "Runtime.h"
#include <Poco/JSON/Object.h>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace Palaver {

class Request;
class Response;

namespace Ws {

class WsServer
{
public:
	explicit WsServer(std::shared_ptr<Runtime> runtime);
	~WsServer();

	/// Opens the listener, starts the threads (the core raised RLIMIT_NOFILE).
	void start();

	/// Every connection gets 1001; then the threads are joined.
	void stop();

	/// GET /ws on the HTTP port: checks the upgrade, detaches the socket and
	/// hands it to a loop, which writes the 101. Returns at once.
	void upgrade(Request& request, Response& response);

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

	/// The Pusher service.
	std::shared_ptr<Hub> pusher();

	Poco::UInt16 boundPort() const { return _boundPort; }

private:
	int openListener();
	void heardFrom(const std::string& node);

	std::shared_ptr<Runtime> _runtime;
	std::vector<std::unique_ptr<IoLoop>> _loops;
	std::atomic<std::size_t> _nextLoop{0};
	std::atomic<bool> _running{false};
	Poco::UInt16 _boundPort = 0;
	std::mutex _nodesMutex;
	std::unordered_map<std::string, Poco::Int64> _nodesHeard;  /// node -> last presence event (µs)
};

} } // namespace Palaver::Ws

#endif
