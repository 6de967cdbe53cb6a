#include "palaver/PeriodicTask.h"
#include <Poco/Exception.h>
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
		try
		{
			_task();
		}
		catch (Poco::Exception& exception)
		{
			error = exception.displayText();
		}
		catch (std::exception& exception)
		{
			error = exception.what();
		}
		// Said once, when it starts and when it ends: a store that is down
		// for a while does not fill the log.
		if (!error.empty() && !failing)
			_logger.warning("%s failed (retrying every %ld ms): %s", _what, static_cast<long>(_interval.count()), error);
		else if (error.empty() && failing)
			_logger.information("%s: works again", _what);
		failing = !error.empty();
		lock.lock();
	}
}

} // namespace Palaver
