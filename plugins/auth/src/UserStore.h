//
// UserStore.h
//

#ifndef Palaver_Auth_UserStore_INCLUDED
#define Palaver_Auth_UserStore_INCLUDED

#include "SessionCache.h"
#include "palaver/User.h"
#include <Poco/Optional.h>
#include <Poco/Types.h>
#include <string>
#include <vector>

namespace Palaver {

class Counter;
class Database;

namespace Auth {

/// The auth plugin's tables, and the only code that touches them:
///   users    (id, user_name UNIQUE, name_key UNIQUE (UserName::key), password_hash,
///             info, image, created_at)
///   sessions (token_hash PRIMARY KEY, user_id, created_at, expires_at)
/// Times are microseconds since the Unix epoch. Tokens are stored only as
/// their SHA-256 (see SessionToken). Every write goes through
/// Database::transact().
///
/// findBySession() answers from a SessionCache when it can (token hash ->
/// user, short TTL, bounded); every method that deletes a session or changes
/// a user drops the entries concerned after its commit. Code added here that
/// changes sessions or the users' public fields must do the same.
class UserStore
{
public:
	struct Credentials
	{
		User user;
		std::string passwordHash;
	};

	/// Two users whose names share a key (UserName::key), found when the keys
	/// were first computed: both are kept, the later one (id) with a key of
	/// its own, so that neither blocks the other; an operator may rename one.
	struct NameClash
	{
		Poco::Int64 keptId = 0;
		std::string keptName;
		Poco::Int64 id = 0;
		std::string name;
	};

	explicit UserStore(Database& database);

	/// Creates or updates the tables (component "auth") and computes the
	/// name keys that are missing (users from before version 2); returns the
	/// clashes found meanwhile.
	std::vector<NameClash> migrate();

	/// True when a user has a name with the same key (UserName::key).
	bool nameTaken(const std::string& userName);

	/// Inserts the user and its first session in one transaction. Throws
	/// HttpError 409 when the name (or one with the same key) is taken.
	User create(const User& user, const std::string& passwordHash, const std::string& tokenHash, Poco::Int64 expiresAt);

	/// The user of this exact name, or else of its NFC form.
	Poco::Optional<Credentials> findByName(const std::string& userName);
	Poco::Optional<User> findById(Poco::Int64 id);

	/// Every user, ordered by user name.
	std::vector<User> list();

	void createSession(Poco::Int64 userId, const std::string& tokenHash, Poco::Int64 expiresAt);

	/// The user of an unexpired session (from the cache when it holds it).
	Poco::Optional<User> findBySession(const std::string& tokenHash, Poco::Int64 now);

	/// The session cache's limits: ttlSeconds 0 (or capacity 0) turns it off.
	void configureSessionCache(Poco::Int64 ttlSeconds, std::size_t capacity);

	/// Counted on each findBySession(): answered by the cache, or read (either may be null).
	void countSessionLookups(Counter* hits, Counter* misses);

	std::size_t sessionCacheSize() const;

	void deleteSession(const std::string& tokenHash);

	/// Removes expired sessions; returns how many.
	std::size_t purgeExpired(Poco::Int64 now);

	void updatePasswordHash(Poco::Int64 userId, const std::string& passwordHash);

	/// Microseconds since the Unix epoch.
	static Poco::Int64 timeNow();

private:
	std::vector<NameClash> fillNameKeys();

	Database& _database;
	SessionCache _sessions;
	Counter* _cacheHits = nullptr;
	Counter* _cacheMisses = nullptr;
};

} } // namespace Palaver::Auth

#endif
