//
// PluginWork.h
//

#ifndef Palaver_Server_PluginWork_INCLUDED
#define Palaver_Server_PluginWork_INCLUDED

#include "palaver/services/WorkQueue.h"
#include <Poco/Timespan.h>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>

namespace Poco { class Logger; }

namespace Palaver {

class WorkerPool;

namespace Server {

/// One plugin's WorkQueue: its tasks, in order, run one at a time by a
/// runner that the core's work pool (a WorkerPool) holds while the plugin
/// has tasks. The plugin's context closes it when the plugin stops, waits
/// for it to drain, and drops what is left (task closures are plugin code:
/// destroyed before the library is unloaded). Thread-safe.
class PluginWork: public WorkQueue, public std::enable_shared_from_this<PluginWork>
{
public:
	/// Tasks a runner runs before it lets the other plugins' runners have
	/// the thread (it queues itself again behind them).
	static constexpr int BATCH = 16;

	PluginWork(WorkerPool& pool, std::size_t maxPending, Poco::Logger& logger);

	void submit(Task task) override;
	std::size_t pending() const override;

	/// Refuses every later submit() (the plugin is stopping).
	void close();

	/// Waits until the queued tasks have run, at most timeout; false (and
	/// the queued ones dropped, the running one left to end) after it.
	bool waitDrained(const Poco::Timespan& timeout);

private:
	void run();
	void runTask(Task& task);
	/// Destroys the tasks still queued (their closures are plugin code).
	void drop();

	WorkerPool& _pool;
	const std::size_t _maxPending;
	Poco::Logger& _logger;
	mutable std::mutex _mutex;
	std::condition_variable _drained;
	std::deque<Task> _tasks;  /// guarded by _mutex
	bool _running = false;     /// a runner is queued in the pool or runs; guarded by _mutex
	bool _executing = false;   /// the runner runs a task; guarded by _mutex
	bool _closed = false;      /// guarded by _mutex
};

} } // namespace Palaver::Server

#endif
