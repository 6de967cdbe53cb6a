#include "LoginThrottle.h"
#include <chrono>

namespace Palaver {
namespace Auth {

LoginThrottle::LoginThrottle(int maxAttempts, int windowSeconds, std::size_t capacity):
	_maxAttempts(maxAttempts < 1 ? 1 : maxAttempts),
	_capacity(capacity < 1 ? 1 : capacity),
	_counting(windowSeconds, capacity)
{
}

Poco::Int64 LoginThrottle::clock()
{
	return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

int LoginThrottle::attempt(const std::string& name, Poco::Int64 now)
{
	std::lock_guard<std::mutex> guard(_mutex);
	auto locked = _locked.find(name);
	if (locked != _locked.end())
	{
		if (now < locked->second.until) return static_cast<int>(locked->second.until - now);
		unlock(name);
	}
	Poco::Int64 windowEnd = 0;
	if (_counting.hit(name, now, windowEnd) >= _maxAttempts)
	{
		// This is the last attempt allowed: unless it succeeds, the name is locked.
		_counting.erase(name);
		lock(name, windowEnd, now);
	}
	return 0;
}

void LoginThrottle::lock(const std::string& name, Poco::Int64 until, Poco::Int64 now)
{
	while (!_lockOrder.empty() && (_locked.size() >= _capacity || _locked[_lockOrder.front()].until <= now))
		unlock(_lockOrder.front());
	_lockOrder.push_back(name);
	_locked[name] = Lock{until, std::prev(_lockOrder.end())};
}

void LoginThrottle::unlock(const std::string& name)
{
	auto it = _locked.find(name);
	if (it == _locked.end()) return;
	_lockOrder.erase(it->second.position);
	_locked.erase(it);
}

void LoginThrottle::succeeded(const std::string& name)
{
	std::lock_guard<std::mutex> guard(_mutex);
	_counting.erase(name);
	unlock(name);
}

std::size_t LoginThrottle::size() const
{
	std::lock_guard<std::mutex> guard(_mutex);
	return _counting.size() + _locked.size();
}

} } // namespace Palaver::Auth
