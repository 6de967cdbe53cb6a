#include "palaver/WorkerPool.h"
#include <pthread.h>

namespace Palaver {

WorkerPool::WorkerPool(std::size_t threads, std::size_t maxQueue, std::string name):
	_threadCount(threads),
	_maxQueue(maxQueue),
	_name(std::move(name))
{
}

WorkerPool::~WorkerPool()
{
	stop();
}

void WorkerPool::start()
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (_accepting) return;
	_accepting = true;
	_stopping = false;
	for (std::size_t i = 0; i < _threadCount; ++i)
	{
		_threads.emplace_back([this] { run(); });
		const std::string name = (_name + "-" + std::to_string(i)).substr(0, 15);
		pthread_setname_np(_threads.back().native_handle(), name.c_str());
	}
}

bool WorkerPool::submit(Task task)
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (!_accepting || _tasks.size() >= _maxQueue) return false;
		_tasks.push_back(std::move(task));
	}
	_ready.notify_one();
	return true;
}

void WorkerPool::stop()
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_accepting = false;
		_stopping = true;
	}
	_ready.notify_all();
	for (auto& thread: _threads)
		if (thread.joinable()) thread.join();
	_threads.clear();
}

void WorkerPool::run()
{
	for (;;)
	{
		Task task;
		{
			std::unique_lock<std::mutex> lock(_mutex);
			_ready.wait(lock, [this] { return _stopping || !_tasks.empty(); });
			if (_tasks.empty()) return;  // stopping and drained
			task = std::move(_tasks.front());
			_tasks.pop_front();
		}
		try
		{
			task();
		}
		catch (...)
		{
			// Tasks report their own failures; nothing may kill a worker.
		}
	}
}

} // namespace Palaver
