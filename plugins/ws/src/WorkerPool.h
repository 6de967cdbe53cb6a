//
// WorkerPool.h
//

#ifndef Palaver_Ws_WorkerPool_INCLUDED
#define Palaver_Ws_WorkerPool_INCLUDED

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace Palaver {
namespace Ws {

/// A few threads for the blocking work that must never run on an I/O
/// thread: token look-ups, MessageStore::post() and replays.
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

} } // namespace Palaver::Ws

#endif
