#include "UserStore.h"
#include "UserName.h"
#include "SessionToken.h"
#include "palaver/Counter.h"
#include "palaver/Database.h"
#include "palaver/HttpError.h"
#include <Poco/Data/DataException.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Timestamp.h>

using namespace Poco::Data::Keywords;

namespace Palaver {
namespace Auth {

namespace {

bool isUniqueViolation(const Poco::Exception& exception)
{
	const std::string text = exception.displayText();
	return text.find("UNIQUE constraint failed") != std::string::npos  // SQLite
		|| text.find("duplicate key") != std::string::npos;           // PostgreSQL
}

} // namespace

UserStore::UserStore(Database& database):
	_database(database),
	_sessions(0, 0)
{
}

void UserStore::configureSessionCache(Poco::Int64 ttlSeconds, std::size_t capacity)
{
	_sessions.configure(ttlSeconds * 1000000, capacity);
}

void UserStore::countSessionLookups(Counter* hits, Counter* misses)
{
	_cacheHits = hits;
	_cacheMisses = misses;
}

std::size_t UserStore::sessionCacheSize() const
{
	return _sessions.size();
}

Poco::Int64 UserStore::timeNow()
{
	return Poco::Timestamp().epochMicroseconds();
}

std::vector<UserStore::NameClash> UserStore::migrate()
{
	_database.migrate("auth", {
		{
			"CREATE TABLE users ("
				"id " + _database.serialPrimaryKey() + ", "
				"user_name TEXT NOT NULL, "
				"password_hash TEXT NOT NULL, "
				"info TEXT NOT NULL DEFAULT '', "
				"image TEXT NOT NULL DEFAULT '', "
				"created_at BIGINT NOT NULL)",
			"CREATE UNIQUE INDEX users_user_name ON users (user_name)",
			"CREATE TABLE sessions ("
				"token_hash CHAR(64) PRIMARY KEY, "
				"user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE, "
				"created_at BIGINT NOT NULL, "
				"expires_at BIGINT NOT NULL)",
			"CREATE INDEX sessions_user_id ON sessions (user_id)",
			"CREATE INDEX sessions_expires_at ON sessions (expires_at)"
		},
		{
			// UserName::key; NULL until fillNameKeys() computes it (NULLs never clash).
			"ALTER TABLE users ADD COLUMN name_key TEXT",
			"CREATE UNIQUE INDEX users_name_key ON users (name_key)"
		},
		{
			"ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT NOT NULL DEFAULT 0",
			"ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT ''"
		},
		{
			"ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0",
			"CREATE TABLE invites ("
				"code_hash CHAR(64) PRIMARY KEY, "
				"uses_left BIGINT NOT NULL, "
				"expires_at BIGINT NOT NULL, "
				"created_at BIGINT NOT NULL)"
		}
	});
	return fillNameKeys();
}

std::vector<UserStore::NameClash> UserStore::fillNameKeys()
{
	std::vector<NameClash> clashes;
	_database.transact([&](Poco::Data::Session& session)
	{
		clashes.clear();
		std::vector<Poco::Int64> ids;
		std::vector<std::string> names;
		session << "SELECT id, user_name FROM users WHERE name_key IS NULL ORDER BY id", into(ids), into(names), now;
		for (std::size_t i = 0; i < ids.size(); ++i)
		{
			std::string key = UserName::key(names[i]);
			Poco::Int64 id = ids[i];
			NameClash clash;
			Poco::Data::Statement holder(session);
			holder << _database.sql("SELECT id, user_name FROM users WHERE name_key = ?"), into(clash.keptId), into(clash.keptName), use(key);
			if (holder.execute() > 0)
			{
				// Both stay; the later one gets a key no name can have (names hold no
				// control characters), so neither blocks the other.
				clash.id = id;
				clash.name = names[i];
				clashes.push_back(clash);
				key += "\x1f" + std::to_string(id);
			}
			session << _database.sql("UPDATE users SET name_key = ? WHERE id = ?"), use(key), use(id), now;
		}
	});
	return clashes;
}

bool UserStore::nameTaken(const std::string& userName)
{
	Poco::Data::Session session = _database.session();
	std::string key = UserName::key(userName);
	Poco::Int64 count = 0;
	session << _database.sql("SELECT COUNT(*) FROM users WHERE name_key = ?"), into(count), use(key), now;
	return count > 0;
}

User UserStore::create(const User& user, const std::string& passwordHash, const std::string& tokenHash, Poco::Int64 expiresAt,
	const std::string& userAgent, const std::string& inviteHash)
{
	User created = user;
	_database.transact([&](Poco::Data::Session& session)
	{
		if (!inviteHash.empty())
		{
			// Used up with the registration, in its transaction: a failed one uses nothing.
			std::string code = inviteHash;
			Poco::Int64 time = UserStore::timeNow();
			Poco::Data::Statement use1(session);
			use1 << _database.sql("UPDATE invites SET uses_left = uses_left - 1 WHERE code_hash = ? AND uses_left > 0 AND (expires_at = 0 OR expires_at > ?)"),
				use(code), use(time);
			if (use1.execute() == 0) throw HttpError(403, "invite_invalid", "this invite code is unknown, used up or expired", "invite");
		}
		std::string name = user.userName;
		std::string key = UserName::key(name);
		Poco::Int64 count = 0;
		session << _database.sql("SELECT COUNT(*) FROM users WHERE name_key = ?"), into(count), use(key), now;
		if (count > 0) throw HttpError::conflict("this user name is taken", "username");

		std::string hash = passwordHash;
		std::string info = user.info;
		std::string image = user.image;
		Poco::Int64 createdAt = UserStore::timeNow();
		Poco::Int64 id = 0;
		try
		{
			session << _database.sql("INSERT INTO users (user_name, name_key, password_hash, info, image, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id"),
				into(id), use(name), use(key), use(hash), use(info), use(image), use(createdAt), now;
		}
		catch (Poco::Data::DataException& exception)
		{
			// A concurrent registration of the same name that the check above
			// could not see yet (PostgreSQL, READ COMMITTED).
			if (isUniqueViolation(exception)) throw HttpError::conflict("this user name is taken", "username");
			throw;
		}
		created.id = id;
		if (!tokenHash.empty()) insertSession(session, id, tokenHash, createdAt, expiresAt, userAgent);
	});
	return created;
}

Poco::Optional<UserStore::Credentials> UserStore::findByName(const std::string& userName)
{
	Poco::Data::Session session = _database.session();
	// Names are stored in NFC (those older than that as they came): the
	// name as sent first, then its NFC form.
	std::string name = userName;
	std::string normalized = UserName::normalized(userName);
	Credentials found;
	Poco::Data::Statement select(session);
	Poco::Int64 disabled = 0;
	select << _database.sql("SELECT id, user_name, info, image, password_hash, disabled FROM users WHERE user_name = ? OR user_name = ? "
			"ORDER BY CASE WHEN user_name = ? THEN 0 ELSE 1 END LIMIT 1"),
		into(found.user.id), into(found.user.userName), into(found.user.info), into(found.user.image), into(found.passwordHash),
		into(disabled), use(name), use(normalized), use(name);
	if (select.execute() == 0) return Poco::Optional<Credentials>();
	found.disabled = disabled != 0;
	return found;
}

Poco::Optional<User> UserStore::findById(Poco::Int64 id)
{
	Poco::Data::Session session = _database.session();
	Poco::Int64 key = id;
	User found;
	Poco::Data::Statement select(session);
	select << _database.sql("SELECT id, user_name, info, image FROM users WHERE id = ?"),
		into(found.id), into(found.userName), into(found.info), into(found.image), use(key);
	if (select.execute() == 0) return Poco::Optional<User>();
	return found;
}

std::vector<User> UserStore::search(const std::string& prefix, const std::string& after, std::size_t limit, Poco::Int64 exceptId)
{
	// LIKE with '!' as its escape, on the lower-cased name (ASCII letters).
	std::string pattern;
	for (char c: prefix)
	{
		if (c == '!' || c == '%' || c == '_') pattern += '!';
		pattern += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
	}
	pattern += '%';
	std::string from = after;
	Poco::Int64 except = exceptId;
	std::string sql = "SELECT id, user_name, info, image FROM users WHERE id <> ? AND user_name > ?";
	if (!prefix.empty()) sql += " AND lower(user_name) LIKE ? ESCAPE '!'";
	sql += " ORDER BY user_name, id";
	if (limit > 0) sql += " LIMIT " + std::to_string(limit);

	Poco::Data::Session session = _database.session();
	std::vector<Poco::Int64> ids;
	std::vector<std::string> names;
	std::vector<std::string> infos;
	std::vector<std::string> images;
	Poco::Data::Statement select(session);
	select << _database.sql(sql), into(ids), into(names), into(infos), into(images), use(except), use(from);
	if (!prefix.empty()) select.addBind(use(pattern));
	select.execute();
	std::vector<User> users(ids.size());
	for (std::size_t i = 0; i < ids.size(); ++i)
	{
		users[i].id = ids[i];
		users[i].userName = std::move(names[i]);
		users[i].info = std::move(infos[i]);
		users[i].image = std::move(images[i]);
	}
	return users;
}

void UserStore::createSession(Poco::Int64 userId, const std::string& tokenHash, Poco::Int64 expiresAt, const std::string& userAgent)
{
	_database.transact([&](Poco::Data::Session& session)
	{
		insertSession(session, userId, tokenHash, UserStore::timeNow(), expiresAt, userAgent);
	});
}

void UserStore::insertSession(Poco::Data::Session& session, Poco::Int64 userId, const std::string& tokenHash,
	Poco::Int64 createdAt, Poco::Int64 expiresAt, const std::string& userAgent)
{
	std::string token = tokenHash;
	Poco::Int64 user = userId;
	Poco::Int64 created = createdAt;
	Poco::Int64 expires = expiresAt;
	std::string agent = userAgent;
	session << _database.sql("INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at, user_agent) VALUES (?, ?, ?, ?, ?, ?)"),
		use(token), use(user), use(created), use(expires), use(created), use(agent), now;
}

std::vector<UserStore::SessionRecord> UserStore::sessionsOf(Poco::Int64 userId, Poco::Int64 at)
{
	Poco::Data::Session session = _database.session();
	Poco::Int64 user = userId;
	Poco::Int64 time = at;
	std::vector<std::string> hashes;
	std::vector<Poco::Int64> created;
	std::vector<Poco::Int64> seen;
	std::vector<std::string> agents;
	session << _database.sql("SELECT token_hash, created_at, last_seen_at, user_agent FROM sessions "
			"WHERE user_id = ? AND expires_at > ? ORDER BY last_seen_at DESC, created_at DESC"),
		into(hashes), into(created), into(seen), into(agents), use(user), use(time), now;
	std::vector<SessionRecord> records(hashes.size());
	for (std::size_t i = 0; i < hashes.size(); ++i)
	{
		records[i].tokenHash = std::move(hashes[i]);
		records[i].createdAt = created[i];
		records[i].lastSeenAt = seen[i];
		records[i].userAgent = std::move(agents[i]);
	}
	return records;
}

Poco::Optional<User> UserStore::findCachedSession(const std::string& tokenHash, Poco::Int64 at)
{
	Poco::Optional<User> cached = _sessions.find(tokenHash, at, SessionCache::clock());
	if (cached.isSpecified() && _cacheHits) _cacheHits->inc();
	return cached;
}

Poco::Optional<User> UserStore::findBySession(const std::string& tokenHash, Poco::Int64 at)
{
	Poco::Optional<User> cached = findCachedSession(tokenHash, at);
	if (cached.isSpecified()) return cached;
	if (_cacheMisses) _cacheMisses->inc();
	const Poco::Int64 clock = SessionCache::clock();
	// Taken before the read: an invalidation meanwhile makes put() a no-op.
	const std::uint64_t generation = _sessions.generation();

	Poco::Data::Session session = _database.session();
	std::string token = tokenHash;
	Poco::Int64 time = at;
	User found;
	Poco::Int64 expiresAt = 0;
	Poco::Int64 lastSeenAt = 0;
	Poco::Data::Statement select(session);
	select << _database.sql("SELECT u.id, u.user_name, u.info, u.image, s.expires_at, s.last_seen_at FROM sessions s JOIN users u ON u.id = s.user_id "
			"WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled = 0"),
		into(found.id), into(found.userName), into(found.info), into(found.image), into(expiresAt), into(lastSeenAt), use(token), use(time);
	if (select.execute() == 0) return Poco::Optional<User>();
	if (at - lastSeenAt >= LAST_SEEN_PRECISION) touchSession(tokenHash, at);
	_sessions.put(tokenHash, found, expiresAt, clock, generation);
	return found;
}

void UserStore::touchSession(const std::string& tokenHash, Poco::Int64 at)
{
	try
	{
		_database.transact([&](Poco::Data::Session& session)
		{
			std::string token = tokenHash;
			Poco::Int64 time = at;
			session << _database.sql("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?"), use(time), use(token), now;
		});
	}
	catch (Poco::Exception&)
	{
		// Only GET /sessions shows it: never worth failing a request for.
	}
}

void UserStore::deleteSession(const std::string& tokenHash)
{
	try
	{
		_database.transact([&](Poco::Data::Session& session)
		{
			std::string token = tokenHash;
			session << _database.sql("DELETE FROM sessions WHERE token_hash = ?"), use(token), now;
		});
	}
	catch (...)
	{
		// Whether or not the delete went through, the cache must not vouch for it.
		_sessions.remove(tokenHash);
		throw;
	}
	_sessions.remove(tokenHash);
}

std::string UserStore::endSession(Poco::Int64 userId, const std::string& publicId)
{
	std::vector<std::string> ended;
	_database.transact([&](Poco::Data::Session& session)
	{
		Poco::Int64 user = userId;
		std::string prefix = publicId;
		session << _database.sql("DELETE FROM sessions WHERE user_id = ? AND substr(token_hash, 1, " +
				std::to_string(SessionToken::PUBLIC_ID_LENGTH) + ") = ? RETURNING token_hash"),
			into(ended), use(user), use(prefix), now;
	});
	for (const std::string& hash: ended) _sessions.remove(hash);
	return ended.empty() ? std::string() : ended.front();
}

std::vector<std::string> UserStore::endSessionsOf(Poco::Int64 userId, const std::string& keepTokenHash)
{
	std::vector<std::string> ended;
	_database.transact([&](Poco::Data::Session& session)
	{
		ended = endSessionsIn(session, userId, keepTokenHash);
	});
	_sessions.removeUser(userId);
	return ended;
}

std::vector<std::string> UserStore::endSessionsIn(Poco::Data::Session& session, Poco::Int64 userId, const std::string& keepTokenHash)
{
	std::vector<std::string> ended;
	Poco::Int64 user = userId;
	std::string keep = keepTokenHash;
	session << _database.sql("DELETE FROM sessions WHERE user_id = ? AND token_hash <> ? RETURNING token_hash"),
		into(ended), use(user), use(keep), now;
	return ended;
}

std::vector<UserStore::EndedSession> UserStore::purgeExpired(Poco::Int64 at)
{
	std::vector<std::string> hashes;
	std::vector<Poco::Int64> users;
	_database.transact([&](Poco::Data::Session& session)
	{
		Poco::Int64 time = at;
		session << _database.sql("DELETE FROM sessions WHERE token_hash IN "
				"(SELECT token_hash FROM sessions WHERE expires_at <= ? LIMIT " + std::to_string(PURGE_BATCH) + ") "
				"RETURNING token_hash, user_id"),
			into(hashes), into(users), use(time), now;
	});
	std::vector<EndedSession> ended(hashes.size());
	for (std::size_t i = 0; i < hashes.size(); ++i)
	{
		_sessions.remove(hashes[i]);
		ended[i].userId = users[i];
		ended[i].tokenHash = std::move(hashes[i]);
	}
	return ended;
}

User UserStore::setInfo(Poco::Int64 userId, const std::string& info)
{
	std::string previous;
	return setColumn("info", userId, info, previous);
}

User UserStore::setImage(Poco::Int64 userId, const std::string& image, std::string& previous)
{
	return setColumn("image", userId, image, previous);
}

User UserStore::setColumn(const std::string& column, Poco::Int64 userId, const std::string& value, std::string& previous)
{
	User user;
	_database.transact([&](Poco::Data::Session& session)
	{
		Poco::Int64 id = userId;
		std::string old;
		Poco::Data::Statement select(session);
		select << _database.sql("SELECT id, user_name, info, image, " + column + " FROM users WHERE id = ?"),
			into(user.id), into(user.userName), into(user.info), into(user.image), into(old), use(id);
		if (select.execute() == 0) throw HttpError::notFound("no such user");
		std::string newValue = value;
		session << _database.sql("UPDATE users SET " + column + " = ? WHERE id = ?"), use(newValue), use(id), now;
		previous = old;
		if (column == "info") user.info = value;
		else user.image = value;
	});
	_sessions.removeUser(userId);
	return user;
}

std::vector<std::string> UserStore::deleteUser(Poco::Int64 userId, std::string& image)
{
	std::vector<std::string> ended;
	_database.transact([&](Poco::Data::Session& session)
	{
		Poco::Int64 id = userId;
		std::string avatar;
		Poco::Data::Statement select(session);
		select << _database.sql("SELECT image FROM users WHERE id = ?"), into(avatar), use(id);
		if (select.execute() == 0) return;
		ended = endSessionsIn(session, userId, "");
		session << _database.sql("DELETE FROM users WHERE id = ?"), use(id), now;
		image = avatar;
	});
	_sessions.removeUser(userId);
	return ended;
}

std::vector<UserStore::Listed> UserStore::listForAdmin()
{
	Poco::Data::Session session = _database.session();
	std::vector<Poco::Int64> ids;
	std::vector<std::string> names;
	std::vector<Poco::Int64> disabled;
	std::vector<Poco::Int64> created;
	session << _database.sql("SELECT id, user_name, disabled, created_at FROM users ORDER BY user_name, id"),
		into(ids), into(names), into(disabled), into(created), now;
	std::vector<Listed> users(ids.size());
	for (std::size_t i = 0; i < ids.size(); ++i)
	{
		users[i].id = ids[i];
		users[i].userName = std::move(names[i]);
		users[i].disabled = disabled[i] != 0;
		users[i].createdAt = created[i];
	}
	return users;
}

std::vector<std::string> UserStore::setDisabled(Poco::Int64 userId, bool disabled)
{
	std::vector<std::string> ended;
	_database.transact([&](Poco::Data::Session& session)
	{
		Poco::Int64 id = userId;
		Poco::Int64 flag = disabled ? 1 : 0;
		session << _database.sql("UPDATE users SET disabled = ? WHERE id = ?"), use(flag), use(id), now;
		if (disabled) ended = endSessionsIn(session, userId, "");
	});
	_sessions.removeUser(userId);
	return ended;
}

void UserStore::createInvite(const std::string& codeHash, Poco::Int64 uses, Poco::Int64 expiresAt)
{
	_database.transact([&](Poco::Data::Session& session)
	{
		std::string code = codeHash;
		Poco::Int64 left = uses;
		Poco::Int64 expires = expiresAt;
		Poco::Int64 created = UserStore::timeNow();
		session << _database.sql("INSERT INTO invites (code_hash, uses_left, expires_at, created_at) VALUES (?, ?, ?, ?)"),
			use(code), use(left), use(expires), use(created), now;
	});
}

std::vector<std::string> UserStore::changePassword(Poco::Int64 userId, const std::string& passwordHash, const std::string& keepTokenHash)
{
	std::vector<std::string> ended;
	_database.transact([&](Poco::Data::Session& session)
	{
		std::string hash = passwordHash;
		Poco::Int64 id = userId;
		session << _database.sql("UPDATE users SET password_hash = ? WHERE id = ?"), use(hash), use(id), now;
		ended = endSessionsIn(session, userId, keepTokenHash);
	});
	_sessions.removeUser(userId);
	return ended;
}

void UserStore::updatePasswordHash(Poco::Int64 userId, const std::string& passwordHash)
{
	_database.transact([&](Poco::Data::Session& session)
	{
		std::string hash = passwordHash;
		Poco::Int64 id = userId;
		session << _database.sql("UPDATE users SET password_hash = ? WHERE id = ?"), use(hash), use(id), now;
	});
	// The cached users hold no hash; dropping them keeps the rule simple:
	// every write to a user invalidates its cached sessions.
	_sessions.removeUser(userId);
}

} } // namespace Palaver::Auth
