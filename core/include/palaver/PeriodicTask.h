//
// PeriodicTask.h
//

#ifndef Palaver_PeriodicTask_INCLUDED
#define Palaver_PeriodicTask_INCLUDED

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace Poco { class Logger; }

namespace Palaver {

/// Runs a task every interval on a thread of its own (named `name`), from
/// start() until stop(): housekeeping that must not wait for a request, such
/// as the core's SQLite WAL checkpoints or the auth plugin's removal of
/// expired sessions. The first run is one interval after start(). A task that
/// throws is logged once as a warning ("<what> failed (retrying every N ms):
/// ...") and run again at the next interval; the first run that succeeds
/// after failures is logged as "<what>: works again".
class PeriodicTask
{
public:
	/// name: the thread's name (at most 15 characters are kept); what: the
	/// task as the log names it ("database: WAL checkpoint").
	PeriodicTask(std::string name, std::string what, std::chrono::milliseconds interval, std::function<void()> task, Poco::Logger& logger);

	/// Stops the thread if it runs.
	~PeriodicTask();

	PeriodicTask(const PeriodicTask&) = delete;
	PeriodicTask& operator=(const PeriodicTask&) = delete;

	/// Starts the thread; does nothing while it runs.
	void start();

	/// Returns once the thread has ended (a run under way finishes first).
	/// start() may start it again.
	void stop();

private:
	void run();

	const std::string _name;
	const std::string _what;
	const std::chrono::milliseconds _interval;
	const std::function<void()> _task;
	Poco::Logger& _logger;
	std::mutex _mutex;
	std::condition_variable _wake;
	bool _stopping = false;
	std::thread _thread;
};

} // namespace Palaver

#endif
