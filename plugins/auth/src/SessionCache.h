//
// SessionCache.h
//

#ifndef Palaver_Auth_SessionCache_INCLUDED
#define Palaver_Auth_SessionCache_INCLUDED

#include "palaver/User.h"
#include <Poco/Optional.h>
#include <Poco/Types.h>
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

namespace Palaver {
namespace Auth {

/// Sessions lately found in the database, so that a request does not read
/// the sessions table again: token hash (never the token) -> user. An entry
/// lives at most ttl on the monotonic clock and never past the session's own
/// expiry on the wall clock; at most capacity entries (the oldest go first).
///
/// Invalidation: remove()/removeUser()/clear() drop entries at once and also
/// refuse every put() whose database read began before them (the caller takes
/// generation() before reading and hands it to put()), so a look-up racing a
/// log-out can never bring the revoked session back. ttl 0 disables the cache.
/// Thread-safe.
class SessionCache
{
public:
	SessionCache(Poco::Int64 ttlMicroseconds, std::size_t capacity);

	/// Changes the limits (SIGHUP); entries beyond them go at once.
	void configure(Poco::Int64 ttlMicroseconds, std::size_t capacity);

	/// The cached user of tokenHash, when its entry is younger than ttl at
	/// monotonic time `clock` and its session unexpired at wall time `now`.
	Poco::Optional<User> find(const std::string& tokenHash, Poco::Int64 now, Poco::Int64 clock);

	/// The number to pass to put() for a read that starts now.
	std::uint64_t generation() const;

	/// Remembers a session read from the database; ignored when anything was
	/// invalidated since `generation` was taken, or when the cache is off.
	void put(const std::string& tokenHash, const User& user, Poco::Int64 expiresAt, Poco::Int64 clock, std::uint64_t generation);

	void remove(const std::string& tokenHash);
	void removeUser(Poco::Int64 userId);
	void clear();

	std::size_t size() const;
	bool enabled() const;

	/// Microseconds on the monotonic clock.
	static Poco::Int64 clock();

private:
	struct Entry
	{
		User user;
		Poco::Int64 expiresAt = 0;  /// the session's, wall clock µs
		Poco::Int64 cachedAt = 0;   /// monotonic µs
		std::list<std::string>::iterator position;
	};
	using Entries = std::unordered_map<std::string, Entry>;

	void erase(Entries::iterator it);
	void invalidated();

	Poco::Int64 _ttl;
	std::size_t _capacity;
	mutable std::mutex _mutex;
	Entries _entries;
	std::list<std::string> _order;  /// oldest put first
	std::uint64_t _generation = 0;
};

} } // namespace Palaver::Auth

#endif
