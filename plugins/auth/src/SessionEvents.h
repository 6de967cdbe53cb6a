//
// SessionEvents.h
//

#ifndef Palaver_Auth_SessionEvents_INCLUDED
#define Palaver_Auth_SessionEvents_INCLUDED

#include <Poco/Types.h>
#include <string>
#include <vector>

namespace Palaver {

class EventBus;

namespace Auth {

/// Publishes "session.ended" {"userId": N, "sessions": [public id, ...]}
/// (see UserDirectory) for sessions already removed from the store; [cluster]
/// carries it to the other nodes, whose ws plugin closes the sessions'
/// sockets with 4001. Runs the subscribers on the caller's thread.
class SessionEvents
{
public:
	/// Nothing when tokenHashes is empty.
	static void ended(EventBus& events, Poco::Int64 userId, const std::vector<std::string>& tokenHashes);
};

} } // namespace Palaver::Auth

#endif
