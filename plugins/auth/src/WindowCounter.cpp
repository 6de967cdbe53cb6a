#include "WindowCounter.h"

namespace Palaver {
namespace Auth {

WindowCounter::WindowCounter(int windowSeconds, std::size_t capacity):
	_windowSeconds(windowSeconds < 1 ? 1 : windowSeconds),
	_capacity(capacity < 1 ? 1 : capacity)
{
}

int WindowCounter::hit(const std::string& key, Poco::Int64 now, Poco::Int64& windowEnd)
{
	auto it = _entries.find(key);
	if (it != _entries.end() && now >= it->second.windowStart + _windowSeconds)
	{
		erase(key);
		it = _entries.end();
	}
	if (it == _entries.end())
	{
		// A window restarts only by a new entry: _order stays sorted by start.
		if (_entries.size() >= _capacity) erase(_order.front());
		_order.push_back(key);
		Entry entry;
		entry.windowStart = now;
		entry.position = std::prev(_order.end());
		it = _entries.emplace(key, entry).first;
	}
	windowEnd = it->second.windowStart + _windowSeconds;
	if (it->second.hits < 1000000) ++it->second.hits;
	return it->second.hits;
}

void WindowCounter::erase(const std::string& key)
{
	auto it = _entries.find(key);
	if (it == _entries.end()) return;
	_order.erase(it->second.position);
	_entries.erase(it);
}

} } // namespace Palaver::Auth
