//
// ClientFrames.h
//

#ifndef Palaver_Services_ClientFrames_INCLUDED
#define Palaver_Services_ClientFrames_INCLUDED

#include "palaver/JsonValue.h"
#include "palaver/Service.h"
#include "palaver/User.h"
#include <functional>
#include <string>

namespace Palaver {

/// WebSocket client frames that other plugins handle (API 2.1): offered by
/// the ws plugin, which keeps the connections, authentication, rate limits
/// and the frames of PROTOCOL.md's first part. The groups plugin handles
/// "groupmsg", and "typing" and "read" frames that name a "groupId", this way;
/// a third-party plugin adds frame types the same way (docs/PLUGINS.md).
class ClientFrames: public Service
{
public:
	static constexpr const char* NAME = "ws.frames";

	/// Queues a text frame (a JSON document) on the connection the client
	/// frame came from; nothing once it has closed. Any thread, never blocks.
	using Reply = std::function<void(const std::string& frame)>;

	/// Called on one of the ws plugin's worker threads, so it may read the
	/// database, for an authenticated connection's frame (sender) that passed
	/// the rate limit. An HttpError it throws is answered on that connection as
	/// {"type": "error", "code", "message", "field", "clientMsgId"} (the
	/// frame's clientMsgId, when it has one); any other exception as code
	/// "internal". reply may be kept and called later, from any thread.
	using Handler = std::function<void(const User& sender, const JsonValue& frame, const Reply& reply)>;

	/// Routes the client frames of type that have a member named field
	/// (field "": every frame of that type) to handler, before the ws plugin's
	/// own frames of that type. Call it in initialize(). Throws
	/// Poco::ExistsException when type and field are taken.
	virtual void addHandler(const std::string& type, const std::string& field, Handler handler) = 0;

	/// Takes back the handler of type and field (if any), once the calls of
	/// it in flight have returned (at most 10 seconds): in the adding
	/// plugin's stop(), so that it can be reloaded at run time (the handler
	/// is its code). Any thread but a ws worker. (API 4.1)
	virtual void removeHandler(const std::string& type, const std::string& field) {}
};

} // namespace Palaver

#endif
