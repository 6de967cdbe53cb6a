//
// MemberCache.h
//
// The members of groups, kept in memory for the hot paths (posting and
// pushing a group message), so that a message to a large group does not read
// its member list from the database.
//

#ifndef Palaver_Groups_MemberCache_INCLUDED
#define Palaver_Groups_MemberCache_INCLUDED

#include <Poco/Types.h>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace Palaver {
namespace Groups {

/// Thread-safe. Entries are dropped by invalidate() after every change of a
/// group's members, on this node (GroupService) or another ("group.members"),
/// and read again at the next use; a read that raced a change is used once
/// but not kept.
class MemberCache
{
public:
	/// A member and the last message id before their joining (they read the later ones).
	struct Reader
	{
		Poco::Int64 userId = 0;
		Poco::Int64 joinedAfter = 0;
	};

	using Readers = std::shared_ptr<const std::vector<Reader>>;

	/// Reads a group's members (empty for a group that does not exist). Throws what it throws.
	using Loader = std::function<std::vector<Reader>(Poco::Int64 groupId)>;

	/// Groups kept at most; past it the cache starts afresh.
	static constexpr std::size_t MAX_GROUPS = 10000;

	explicit MemberCache(Loader loader);

	/// The group's members, from memory or read now.
	Readers members(Poco::Int64 groupId);

	/// The group's members changed (or it was deleted).
	void invalidate(Poco::Int64 groupId);

	/// True when userId is among readers.
	static bool contains(const std::vector<Reader>& readers, Poco::Int64 userId);

private:
	const Loader _loader;
	std::mutex _mutex;
	std::unordered_map<Poco::Int64, Readers> _groups;
	std::uint64_t _changes = 0;  /// invalidations so far: a read that saw one meanwhile is not kept
};

} } // namespace Palaver::Groups

#endif
