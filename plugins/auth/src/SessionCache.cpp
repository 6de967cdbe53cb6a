#include "SessionCache.h"
#include <Poco/Clock.h>

namespace Palaver {
namespace Auth {

SessionCache::SessionCache(Poco::Int64 ttlMicroseconds, std::size_t capacity):
	_ttl(ttlMicroseconds < 0 ? 0 : ttlMicroseconds),
	_capacity(capacity)
{
}

void SessionCache::configure(Poco::Int64 ttlMicroseconds, std::size_t capacity)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_ttl = ttlMicroseconds < 0 ? 0 : ttlMicroseconds;
	_capacity = capacity;
	if (_ttl == 0 || _capacity == 0)
	{
		_entries.clear();
		_order.clear();
	}
	while (_entries.size() > _capacity)
		erase(_entries.find(_order.front()));
	invalidated();
}

Poco::Int64 SessionCache::clock()
{
	return Poco::Clock().microseconds();
}

bool SessionCache::enabled() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _ttl > 0 && _capacity > 0;
}

std::uint64_t SessionCache::generation() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _generation;
}

Poco::Optional<User> SessionCache::find(const std::string& tokenHash, Poco::Int64 now, Poco::Int64 clock)
{
	std::lock_guard<std::mutex> lock(_mutex);
	auto it = _entries.find(tokenHash);
	if (it == _entries.end()) return Poco::Optional<User>();
	if (now >= it->second.expiresAt || clock - it->second.cachedAt >= _ttl || clock < it->second.cachedAt)
	{
		erase(it);
		return Poco::Optional<User>();
	}
	return it->second.user;
}

void SessionCache::put(const std::string& tokenHash, const User& user, Poco::Int64 expiresAt, Poco::Int64 clock, std::uint64_t generation)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (_ttl == 0 || _capacity == 0 || generation != _generation) return;
	auto it = _entries.find(tokenHash);
	if (it != _entries.end()) erase(it);
	while (_entries.size() >= _capacity)
		erase(_entries.find(_order.front()));
	_order.push_back(tokenHash);
	Entry& entry = _entries[tokenHash];
	entry.user = user;
	entry.expiresAt = expiresAt;
	entry.cachedAt = clock;
	entry.position = std::prev(_order.end());
}

void SessionCache::remove(const std::string& tokenHash)
{
	std::lock_guard<std::mutex> lock(_mutex);
	auto it = _entries.find(tokenHash);
	if (it != _entries.end()) erase(it);
	invalidated();
}

void SessionCache::removeUser(Poco::Int64 userId)
{
	std::lock_guard<std::mutex> lock(_mutex);
	for (auto it = _entries.begin(); it != _entries.end();)
	{
		auto next = std::next(it);
		if (it->second.user.id == userId) erase(it);
		it = next;
	}
	invalidated();
}

void SessionCache::clear()
{
	std::lock_guard<std::mutex> lock(_mutex);
	_entries.clear();
	_order.clear();
	invalidated();
}

std::size_t SessionCache::size() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _entries.size();
}

void SessionCache::erase(Entries::iterator it)
{
	_order.erase(it->second.position);
	_entries.erase(it);
}

void SessionCache::invalidated()
{
	++_generation;
}

} } // namespace Palaver::Auth
