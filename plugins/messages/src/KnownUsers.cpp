#include "KnownUsers.h"

namespace Palaver {
namespace Messages {

KnownUsers::KnownUsers(std::size_t capacity):
	_capacity(capacity)
{
}

bool KnownUsers::contains(Poco::Int64 id) const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _ids.count(id) > 0;
}

void KnownUsers::add(Poco::Int64 id)
{
	if (_capacity == 0) return;
	std::lock_guard<std::mutex> lock(_mutex);
	if (_ids.size() >= _capacity) _ids.clear();
	_ids.insert(id);
}

void KnownUsers::remove(Poco::Int64 id)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_ids.erase(id);
}

std::size_t KnownUsers::size() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _ids.size();
}

} } // namespace Palaver::Messages
