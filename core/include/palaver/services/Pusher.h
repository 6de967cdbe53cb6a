//
// Pusher.h
//

#ifndef Palaver_Services_Pusher_INCLUDED
#define Palaver_Services_Pusher_INCLUDED

#include "palaver/Service.h"
#include <Poco/Types.h>
#include <string>
#include <vector>

namespace Palaver {

/// Live frames to connected users: offered by the ws plugin. Never blocks: a
/// frame is queued on each connection and written by its I/O thread.
class Pusher: public Service
{
public:
	static constexpr const char* NAME = "ws.push";

	/// Queues a text frame (a JSON document) on every connection of the user.
	virtual void pushToUser(Poco::Int64 userId, const std::string& frame) = 0;

	/// Queues a text frame on every authenticated connection.
	virtual void broadcast(const std::string& frame) = 0;

	virtual bool isOnline(Poco::Int64 userId) const = 0;

	// API 2.1, appended (docs/PLUGINS.md, "Versioning").

	/// Queues a text frame on every connection of each of the users (a user
	/// named twice gets it once), on this node only (API 2.1). The frame is
	/// encoded once and its bytes shared by every connection. messageId: the
	/// id of the message the frame carries (chatmsg, groupmsg), so that a
	/// connection catching up with ?since= holds it until its replay is sent
	/// and drops it when the replay had it; 0 for any other frame.
	///
	/// To reach the users' connections on every node of a cluster, publish
	/// the event "ws.deliver" {"userIds": [...], "frame": "..."} instead
	/// (docs/PLUGINS.md).
	virtual void pushToUsers(const std::vector<Poco::Int64>& userIds, const std::string& frame, Poco::Int64 messageId) = 0;
};

} // namespace Palaver

#endif
