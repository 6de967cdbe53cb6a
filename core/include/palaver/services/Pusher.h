//
// Pusher.h
//

#ifndef Palaver_Services_Pusher_INCLUDED
#define Palaver_Services_Pusher_INCLUDED

#include "palaver/Service.h"
#include <Poco/Types.h>
#include <string>

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
};

} // namespace Palaver

#endif
