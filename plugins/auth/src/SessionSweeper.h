//
// SessionSweeper.h
//

#ifndef Palaver_Auth_SessionSweeper_INCLUDED
#define Palaver_Auth_SessionSweeper_INCLUDED

#include "palaver/PeriodicTask.h"
#include <memory>

namespace Poco { class Logger; }

namespace Palaver {

class EventBus;

namespace Auth {

class UserStore;

/// Ends expired sessions as they expire: a thread of its own (a
/// PeriodicTask) removes them from the store every INTERVAL_MS and publishes
/// "session.ended" for them, so that their sockets close within a second of
/// the expiry. Each sweep also ends the sessions that expire before the next
/// one: a session ends up to INTERVAL_MS before its expiry, never after it. In a cluster every node sweeps; the node whose DELETE removed a
/// session announces it.
class SessionSweeper
{
public:
	static constexpr int INTERVAL_MS = 500;

	SessionSweeper(std::shared_ptr<UserStore> store, EventBus& events, Poco::Logger& logger);

	void start();

	/// Returns once the thread has ended (a sweep under way finishes first).
	void stop();

	/// One sweep, on the caller's thread: every expired session ends.
	void sweep();

private:
	std::shared_ptr<UserStore> _store;
	EventBus& _events;
	PeriodicTask _task;
};

} } // namespace Palaver::Auth

#endif
