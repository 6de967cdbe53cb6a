//
// WorkerPool.h
//

#ifndef Palaver_WorkerPool_INCLUDED
#define Palaver_WorkerPool_INCLUDED

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>

namespace Palaver {

/// Threads running queued tasks, with a bounded queue: the blocking work that
/// must never run on an I/O thread (the core's HTTP handlers; the ws plugin's
/// token look-ups and replays). A task runs on one of the pool's threads; an
/// exception it throws is swallowed. The pool keeps `threads` threads and,
/// when tasks wait and no thread is free, starts more up to `maxThreads`;
/// those end after `idleSeconds` without work.
class WorkerPool
{
public:
	using Task = std::function<void()>;

	/// maxThreads 0: exactly `threads` threads.
	WorkerPool(std::size_t threads, std::size_t maxQueue, std::string name, std::size_t maxThreads = 0, int idleSeconds = 5);
	~WorkerPool();

	void start();

	/// Queues a task; false when the queue is full or the pool has stopped.
	bool submit(Task task);

	/// Runs what is queued, then waits for every thread to end.
	void stop();

private:
	void spawn();  // with _mutex held
	void run();

	const std::size_t _minThreads;
	const std::size_t _maxThreads;
	const std::size_t _maxQueue;
	const std::string _name;
	const std::chrono::seconds _idleTime;
	std::mutex _mutex;
	std::condition_variable _ready;
	std::condition_variable _ended;
	std::deque<Task> _tasks;
	std::size_t _running = 0;  /// threads started and not ended
	std::size_t _idle = 0;     /// threads waiting for a task
	std::size_t _spawned = 0;  /// for thread names
	bool _accepting = false;
	bool _stopping = false;
};

} // namespace Palaver

#endif
