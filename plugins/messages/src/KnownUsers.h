//
// KnownUsers.h
//

#ifndef Palaver_Messages_KnownUsers_INCLUDED
#define Palaver_Messages_KnownUsers_INCLUDED

#include <Poco/Types.h>
#include <cstddef>
#include <mutex>
#include <unordered_set>

namespace Palaver {
namespace Messages {

/// A bounded set of user ids known to exist; only unknown ids need a
/// look-up. A deleted user is removed ("user.deleted", on every node). When
/// the set is full it is emptied and fills up again.
class KnownUsers
{
public:
	explicit KnownUsers(std::size_t capacity = 100000);

	bool contains(Poco::Int64 id) const;
	void add(Poco::Int64 id);
	void remove(Poco::Int64 id);
	std::size_t size() const;

private:
	std::size_t _capacity;
	mutable std::mutex _mutex;
	std::unordered_set<Poco::Int64> _ids;
};

} } // namespace Palaver::Messages

#endif
