//
// SessionSweeper.h
//

#ifndef Palaver_Auth_SessionSweeper_INCLUDED
#define Palaver_Auth_SessionSweeper_INCLUDED

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

namespace Poco { class Logger; }

namespace Palaver {

class EventBus;

namespace Auth {

class UserStore;

/// Ends expired sessions as they expire: a thread of its own removes them
/// from the store every INTERVAL_MS and publishes "session.ended" for them,
/// so that their sockets close within a second of the expiry. In a cluster
/// every node sweeps; the node whose DELETE removed a session announces it.
class SessionSweeper
{
public:
	static constexpr int INTERVAL_MS = 500;

	SessionSweeper(std::shared_ptr<UserStore> store, EventBus& events, Poco::Logger& logger);

	/// Stops the thread if it runs.
	~SessionSweeper();

	void start();

	/// Returns once the thread has ended (a sweep under way finishes first).
	void stop();

	/// One sweep, on the caller's thread: every expired session ends.
	void sweep();

private:
	void run();

	std::shared_ptr<UserStore> _store;
	EventBus& _events;
	Poco::Logger& _logger;
	std::thread _thread;
	std::mutex _mutex;
	std::condition_variable _wake;
	bool _stopping = false;
};

} } // namespace Palaver::Auth

#endif
