#include "LoginThrottle.h"
#include <chrono>

namespace Palaver {
namespace Auth {

LoginThrottle::LoginThrottle(int maxAttempts, int windowSeconds, std::size_t capacity):
	_maxAttempts(maxAttempts < 1 ? 1 : maxAttempts),
	_windowSeconds(windowSeconds < 1 ? 1 : windowSeconds),
	_capacity(capacity < 1 ? 1 : capacity)
{
}

Poco::Int64 LoginThrottle::clock()
{
	return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

int LoginThrottle::attempt(const std::string& name, Poco::Int64 now)
{
	std::lock_guard<std::mutex> lock(_mutex);
	auto it = _entries.find(name);
	if (it != _entries.end() && now >= it->second.windowStart + _windowSeconds)
	{
		_entries.erase(it);
		it = _entries.end();
	}
	if (it == _entries.end())
	{
		if (_entries.size() >= _capacity) makeRoom(now);
		it = _entries.emplace(name, Entry{now, 0}).first;
	}
	if (it->second.attempts >= _maxAttempts)
		return static_cast<int>(it->second.windowStart + _windowSeconds - now);
	++it->second.attempts;
	return 0;
}

void LoginThrottle::succeeded(const std::string& name)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_entries.erase(name);
}

std::size_t LoginThrottle::size() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _entries.size();
}

void LoginThrottle::makeRoom(Poco::Int64 now)
{
	for (auto it = _entries.begin(); it != _entries.end();)
	{
		if (now >= it->second.windowStart + _windowSeconds)
			it = _entries.erase(it);
		else
			++it;
	}
	if (_entries.size() < _capacity) return;
	auto oldest = _entries.begin();
	for (auto it = _entries.begin(); it != _entries.end(); ++it)
	{
		if (it->second.windowStart < oldest->second.windowStart) oldest = it;
	}
	_entries.erase(oldest);
}

} } // namespace Palaver::Auth
