#include "UserStore.h"
#include "UserName.h"
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

User UserStore::create(const User& user, const std::string& passwordHash, const std::string& tokenHash, Poco::Int64 expiresAt)
{
	User created = user;
	_database.transact([&](Poco::Data::Session& session)
	{
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

		std::string token = tokenHash;
		Poco::Int64 expires = expiresAt;
		session << _database.sql("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)"),
			use(token), use(id), use(createdAt), use(expires), now;
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
	select << _database.sql("SELECT id, user_name, info, image, password_hash FROM users WHERE user_name = ? OR user_name = ? "
			"ORDER BY CASE WHEN user_name = ? THEN 0 ELSE 1 END LIMIT 1"),
		into(found.user.id), into(found.user.userName), into(found.user.info), into(found.user.image), into(found.passwordHash),
		use(name), use(normalized), use(name);
	if (select.execute() == 0) return Poco::Optional<Credentials>();
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

std::vector<User> UserStore::list()
{
	Poco::Data::Session session = _database.session();
	std::vector<Poco::Int64> ids;
	std::vector<std::string> names;
	std::vector<std::string> infos;
	std::vector<std::string> images;
	session << _database.sql("SELECT id, user_name, info, image FROM users ORDER BY user_name, id"),
		into(ids), into(names), into(infos), into(images), now;
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

void UserStore::createSession(Poco::Int64 userId, const std::string& tokenHash, Poco::Int64 expiresAt)
{
	_database.transact([&](Poco::Data::Session& session)
	{
		std::string token = tokenHash;
		Poco::Int64 user = userId;
		Poco::Int64 createdAt = UserStore::timeNow();
		Poco::Int64 expires = expiresAt;
		session << _database.sql("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)"),
			use(token), use(user), use(createdAt), use(expires), now;
	});
}

Poco::Optional<User> UserStore::findBySession(const std::string& tokenHash, Poco::Int64 at)
{
	const Poco::Int64 clock = SessionCache::clock();
	Poco::Optional<User> cached = _sessions.find(tokenHash, at, clock);
	if (cached.isSpecified())
	{
		if (_cacheHits) _cacheHits->inc();
		return cached;
	}
	if (_cacheMisses) _cacheMisses->inc();
	// Taken before the read: an invalidation meanwhile makes put() a no-op.
	const std::uint64_t generation = _sessions.generation();

	Poco::Data::Session session = _database.session();
	std::string token = tokenHash;
	Poco::Int64 time = at;
	User found;
	Poco::Int64 expiresAt = 0;
	Poco::Data::Statement select(session);
	select << _database.sql("SELECT u.id, u.user_name, u.info, u.image, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id "
			"WHERE s.token_hash = ? AND s.expires_at > ?"),
		into(found.id), into(found.userName), into(found.info), into(found.image), into(expiresAt), use(token), use(time);
	if (select.execute() == 0) return Poco::Optional<User>();
	_sessions.put(tokenHash, found, expiresAt, clock, generation);
	return found;
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

std::size_t UserStore::purgeExpired(Poco::Int64 at)
{
	std::size_t removed = 0;
	_database.transact([&](Poco::Data::Session& session)
	{
		Poco::Int64 time = at;
		Poco::Data::Statement remove(session);
		remove << _database.sql("DELETE FROM sessions WHERE expires_at <= ?"), use(time);
		removed = remove.execute();
	});
	return removed;
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
