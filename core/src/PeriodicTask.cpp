#include "palaver/PeriodicTask.h"
#include "palaver/Failure.h"
#include <Poco/Logger.h>
#include <pthread.h>

namespace Palaver {

PeriodicTask::PeriodicTask(std::string name, std::string what, std::chrono::milliseconds interval, std::function<void()> task, Poco::Logger& logger):
	_name(std::move(name)),
	_what(std::move(what)),
	_interval(interval),
	_task(std::move(task)),
	_logger(logger)
{
}

PeriodicTask::~PeriodicTask()
{
	stop();
}

void PeriodicTask::start()
{
	if (_thread.joinable()) return;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_stopping = false;
	}
	_thread = std::thread([this] { run(); });
	pthread_setname_np(_thread.native_handle(), _name.substr(0, 15).c_str());
}

void PeriodicTask::stop()
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_stopping = true;
	}
	_wake.notify_all();
	if (_thread.joinable()) _thread.join();
}

void PeriodicTask::run()
{
	bool failing = false;
	std::unique_lock<std::mutex> lock(_mutex);
	while (!_wake.wait_for(lock, _interval, [this] { return _stopping; }))
	{
		lock.unlock();
		std::string error;
		const bool worked = Failure::caught(_task, error);
		// Said once, when it starts and when it ends: a store that is down
		// for a while does not fill the log.
		if (!worked && !failing)
			_logger.warning("%s failed (retrying every %ld ms): %s", _what, static_cast<long>(_interval.count()), error);
		else if (worked && failing)
			_logger.information("%s: works again", _what);
		failing = !worked;
		lock.lock();
	}
}

} // namespace Palaver
