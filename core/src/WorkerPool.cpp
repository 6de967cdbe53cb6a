#include "palaver/WorkerPool.h"
#include <algorithm>
#include <pthread.h>
#include <thread>

namespace Palaver {

WorkerPool::WorkerPool(std::size_t threads, std::size_t maxQueue, std::string name, std::size_t maxThreads, int idleSeconds):
	_minThreads(threads),
	_maxThreads(std::max(threads, maxThreads)),
	_maxQueue(maxQueue),
	_name(std::move(name)),
	_idleTime(std::max(1, idleSeconds))
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
	while (_running < _minThreads) spawn();
}

void WorkerPool::spawn()
{
	++_running;
	std::thread thread([this] { run(); });
	const std::string name = (_name + "-" + std::to_string(_spawned++)).substr(0, 15);
	pthread_setname_np(thread.native_handle(), name.c_str());
	// Threads end on their own (idle, or stopping); stop() waits for the count.
	thread.detach();
}

bool WorkerPool::submit(Task task)
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (!_accepting || _tasks.size() >= _maxQueue) return false;
		_tasks.push_back(std::move(task));
		if (_idle < _tasks.size() && _running < _maxThreads) spawn();
	}
	_ready.notify_one();
	return true;
}

void WorkerPool::stop()
{
	std::unique_lock<std::mutex> lock(_mutex);
	_accepting = false;
	_stopping = true;
	_ready.notify_all();
	_ended.wait(lock, [this] { return _running == 0; });
}

void WorkerPool::run()
{
	std::unique_lock<std::mutex> lock(_mutex);
	for (;;)
	{
		while (!_stopping && _tasks.empty())
		{
			++_idle;
			const bool woken = _ready.wait_for(lock, _idleTime, [this] { return _stopping || !_tasks.empty(); });
			--_idle;
			if (!woken && _running > _minThreads) break;
		}
		// Stopping and drained, or idle beyond the pool's own threads.
		if (_tasks.empty())
		{
			--_running;
			_ended.notify_all();
			return;
		}
		Task task = std::move(_tasks.front());
		_tasks.pop_front();
		lock.unlock();
		try
		{
			task();
		}
		catch (...)
		{
			// Tasks report their own failures; nothing may kill a worker.
		}
		task = nullptr;  // its captures are released outside the lock
		lock.lock();
	}
}

} // namespace Palaver
