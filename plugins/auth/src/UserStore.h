//
// UserStore.h
//

#ifndef Palaver_Auth_UserStore_INCLUDED
#define Palaver_Auth_UserStore_INCLUDED

#include "SessionCache.h"
#include "palaver/User.h"
#include <Poco/Data/Session.h>
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
///             info, image, created_at, disabled)
///   invites  (code_hash PRIMARY KEY, uses_left, expires_at, created_at)
///   sessions (token_hash PRIMARY KEY, user_id, created_at, expires_at,
///             last_seen_at, user_agent)
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
		bool disabled = false;
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

	/// A user as `palaverctl users list` shows it.
	struct Listed
	{
		Poco::Int64 id = 0;
		std::string userName;
		bool disabled = false;
		Poco::Int64 createdAt = 0;
	};

	/// One open session, as GET /sessions shows it.
	struct SessionRecord
	{
		std::string tokenHash;
		Poco::Int64 createdAt = 0;
		Poco::Int64 lastSeenAt = 0;
		std::string userAgent;
	};

	/// A session that ended: whose it was, and its token hash.
	struct EndedSession
	{
		Poco::Int64 userId = 0;
		std::string tokenHash;
	};

	/// At most this many expired sessions go per purgeExpired() call.
	static constexpr std::size_t PURGE_BATCH = 1000;

	/// last_seen_at is written at most once per this many microseconds per session.
	static constexpr Poco::Int64 LAST_SEEN_PRECISION = 60LL * 1000000;

	explicit UserStore(Database& database);

	/// Creates or updates the tables (component "auth") and computes the
	/// name keys that are missing (users from before version 2); returns the
	/// clashes found meanwhile.
	std::vector<NameClash> migrate();

	/// True when a user has a name with the same key (UserName::key).
	bool nameTaken(const std::string& userName);

	/// Inserts the user and its first session in one transaction, using up
	/// one use of the invite inviteHash names ("": none needed). An empty
	/// tokenHash opens no session, and an empty passwordHash allows no
	/// log-in: a service account. Throws
	/// HttpError 409 when the name (or one with the same key) is taken, 403
	/// "invite_invalid" when the invite is unknown, used up or expired.
	User create(const User& user, const std::string& passwordHash, const std::string& tokenHash, Poco::Int64 expiresAt,
		const std::string& userAgent, const std::string& inviteHash);

	/// Every user with the administrator's columns, ordered by name.
	std::vector<Listed> listForAdmin();

	/// Disables (no log-in, every session ended: returned) or enables the user.
	std::vector<std::string> setDisabled(Poco::Int64 userId, bool disabled);

	/// Stores an invite code (as its hash): uses registrations, until
	/// expiresAt (µs since the epoch; 0: never).
	void createInvite(const std::string& codeHash, Poco::Int64 uses, Poco::Int64 expiresAt);

	/// The user of this exact name, or else of its NFC form.
	Poco::Optional<Credentials> findByName(const std::string& userName);
	Poco::Optional<User> findById(Poco::Int64 id);

	/// Users ordered by user name (then id), as UserDirectory::findUsers:
	/// search("", "", 0, 0) is every user.
	std::vector<User> search(const std::string& prefix, const std::string& after, std::size_t limit, Poco::Int64 exceptId);

	void createSession(Poco::Int64 userId, const std::string& tokenHash, Poco::Int64 expiresAt, const std::string& userAgent);

	/// The user's unexpired sessions, the most recently seen first.
	std::vector<SessionRecord> sessionsOf(Poco::Int64 userId, Poco::Int64 now);

	/// The user of an unexpired session (from the cache when it holds it).
	/// Records when the session was last seen (at most once a minute).
	Poco::Optional<User> findBySession(const std::string& tokenHash, Poco::Int64 now);

	/// findBySession() from the cache only (no database, never blocks):
	/// empty when the cache does not hold the session.
	Poco::Optional<User> findCachedSession(const std::string& tokenHash, Poco::Int64 now);

	/// The session cache's limits: ttlSeconds 0 (or capacity 0) turns it off.
	void configureSessionCache(Poco::Int64 ttlSeconds, std::size_t capacity);

	/// Counted on each findBySession(): answered by the cache, or read (either may be null).
	void countSessionLookups(Counter* hits, Counter* misses);

	std::size_t sessionCacheSize() const;

	void deleteSession(const std::string& tokenHash);

	/// Ends the user's session whose public id (SessionToken::publicId) is
	/// publicId; returns its token hash, or "" when the user has no such session.
	std::string endSession(Poco::Int64 userId, const std::string& publicId);

	/// Ends every session of the user but keepTokenHash ("": all of them);
	/// returns the token hashes ended.
	std::vector<std::string> endSessionsOf(Poco::Int64 userId, const std::string& keepTokenHash);

	/// Removes at most PURGE_BATCH expired sessions; returns them.
	std::vector<EndedSession> purgeExpired(Poco::Int64 now);

	void updatePasswordHash(Poco::Int64 userId, const std::string& passwordHash);

	/// Sets the user's info; returns the user as stored now. HttpError 404
	/// when the user no longer exists.
	User setInfo(Poco::Int64 userId, const std::string& info);

	/// Sets the user's avatar (a stored file name, "" for none); returns the
	/// user as stored now, and in previous the avatar it replaced. HttpError
	/// 404 when the user no longer exists.
	User setImage(Poco::Int64 userId, const std::string& image, std::string& previous);

	/// Deletes the user and every session of theirs in one transaction;
	/// returns the sessions' token hashes, and in image the user's avatar.
	std::vector<std::string> deleteUser(Poco::Int64 userId, std::string& image);

	/// Sets a new password hash and ends every other session of the user, in
	/// one transaction; returns the token hashes ended.
	std::vector<std::string> changePassword(Poco::Int64 userId, const std::string& passwordHash, const std::string& keepTokenHash);

	/// Microseconds since the Unix epoch.
	static Poco::Int64 timeNow();

private:
	std::vector<NameClash> fillNameKeys();
	void insertSession(Poco::Data::Session& session, Poco::Int64 userId, const std::string& tokenHash,
		Poco::Int64 createdAt, Poco::Int64 expiresAt, const std::string& userAgent);
	std::vector<std::string> endSessionsIn(Poco::Data::Session& session, Poco::Int64 userId, const std::string& keepTokenHash);
	void touchSession(const std::string& tokenHash, Poco::Int64 now);
	/// Runs UPDATE users SET <column> = value for the user; returns the user after it and, in previous, the column's old value.
	User setColumn(const std::string& column, Poco::Int64 userId, const std::string& value, std::string& previous);

	Database& _database;
	SessionCache _sessions;
	Counter* _cacheHits = nullptr;
	Counter* _cacheMisses = nullptr;
};

} } // namespace Palaver::Auth

#endif
