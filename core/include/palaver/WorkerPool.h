//
// WorkerPool.h
//

#ifndef Palaver_WorkerPool_INCLUDED
#define Palaver_WorkerPool_INCLUDED

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace Palaver {

/// A fixed number of threads running queued tasks, with a bounded queue: the
/// blocking work that must never run on an I/O thread (the core's HTTP
/// handlers; the ws plugin's token look-ups and replays). A task runs on one
/// of the pool's threads; an exception it throws is swallowed.
class WorkerPool
{
public:
	using Task = std::function<void()>;

	WorkerPool(std::size_t threads, std::size_t maxQueue, std::string name);
	~WorkerPool();

	void start();

	/// Queues a task; false when the queue is full or the pool has stopped.
	bool submit(Task task);

	/// Runs what is queued, then joins the threads.
	void stop();

private:
	void run();

	std::size_t _threadCount;
	std::size_t _maxQueue;
	std::string _name;
	std::mutex _mutex;
	std::condition_variable _ready;
	std::deque<Task> _tasks;
	std::vector<std::thread> _threads;
	bool _accepting = false;
	bool _stopping = false;
};

} // namespace Palaver

#endif
