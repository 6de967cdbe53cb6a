#include "MemberCache.h"
#include <algorithm>

namespace Palaver {
namespace Groups {

MemberCache::MemberCache(Loader loader):
	_loader(std::move(loader))
{
}

MemberCache::Readers MemberCache::members(Poco::Int64 groupId)
{
	std::uint64_t changes = 0;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		auto it = _groups.find(groupId);
		if (it != _groups.end()) return it->second;
		changes = _changes;
	}
	// Read without the lock: other groups' members stay available meanwhile.
	Readers readers = std::make_shared<const std::vector<Reader>>(_loader(groupId));
	std::lock_guard<std::mutex> lock(_mutex);
	if (_changes != changes) return readers;
	if (_groups.size() >= MAX_GROUPS) _groups.clear();
	_groups.emplace(groupId, readers);
	return readers;
}

void MemberCache::invalidate(Poco::Int64 groupId)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_groups.erase(groupId);
	++_changes;
}

bool MemberCache::contains(const std::vector<Reader>& readers, Poco::Int64 userId)
{
	return std::any_of(readers.begin(), readers.end(), [userId](const Reader& reader) { return reader.userId == userId; });
}

} } // namespace Palaver::Groups
