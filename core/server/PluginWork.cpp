#include "PluginWork.h"
#include "palaver/Failure.h"
#include "palaver/HttpError.h"
#include "palaver/WorkerPool.h"
#include <Poco/Logger.h>

namespace Palaver {
namespace Server {

PluginWork::PluginWork(WorkerPool& pool, std::size_t maxPending, Poco::Logger& logger):
	_pool(pool),
	_maxPending(maxPending),
	_logger(logger)
{
}

void PluginWork::submit(Task task)
{
	if (!task) throw Poco::InvalidArgumentException("WorkQueue::submit(): an empty task");
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_closed) throw HttpError(503, "busy", "the plugin is stopping: its work queue takes no more tasks");
		if (_tasks.size() + (_executing ? 1 : 0) >= _maxPending)
			throw HttpError(503, "busy", "too many tasks are waiting ([work] max_per_plugin)");
		_tasks.push_back(std::move(task));
		if (_running) return;
		_running = true;
	}
	auto self = shared_from_this();
	if (_pool.submit([self] { self->run(); })) return;
	// The pool has stopped (palaverd is stopping) or is full of runners.
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_running = false;
	}
	drop();
	throw HttpError(503, "busy", "the core's work threads take no more tasks ([work] max_queue)");
}

std::size_t PluginWork::pending() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _tasks.size() + (_executing ? 1 : 0);
}

void PluginWork::close()
{
	std::lock_guard<std::mutex> lock(_mutex);
	_closed = true;
}

bool PluginWork::waitDrained(const Poco::Timespan& timeout)
{
	std::unique_lock<std::mutex> lock(_mutex);
	if (_drained.wait_for(lock, std::chrono::microseconds(timeout.totalMicroseconds()), [this] { return !_running; }))
		return true;
	lock.unlock();
	drop();
	return false;
}

void PluginWork::run()
{
	for (;;)
	{
		for (int ran = 0; ran < BATCH; ++ran)
		{
			Task task;
			{
				std::lock_guard<std::mutex> lock(_mutex);
				if (_tasks.empty())
				{
					_running = false;
					_drained.notify_all();
					return;
				}
				task = std::move(_tasks.front());
				_tasks.pop_front();
				_executing = true;
			}
			runTask(task);
			std::lock_guard<std::mutex> lock(_mutex);
			_executing = false;
		}
		// Behind the other plugins' runners; on this thread when the pool takes no more.
		auto self = shared_from_this();
		if (_pool.submit([self] { self->run(); })) return;
	}
}

void PluginWork::runTask(Task& task)
{
	std::string reason;
	if (!Failure::caught(task, reason)) _logger.error("a work queue task failed: %s", reason);
	Task().swap(task);  // its closure is destroyed before the runner says it is done
}

void PluginWork::drop()
{
	std::deque<Task> dropped;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		dropped.swap(_tasks);
	}
	if (!dropped.empty()) _logger.warning("%z work queue tasks dropped unrun", dropped.size());
}

} } // namespace Palaver::Server
