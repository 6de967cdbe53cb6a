#include "DatabaseImpl.h"
#include "palaver/HttpError.h"
#include <Poco/Data/DataException.h>
#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/PostgreSQL/PostgreSQLException.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/SQLiteException.h>
#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/String.h>
#include <Poco/Thread.h>
#include <Poco/Timestamp.h>
#include <algorithm>
#include <chrono>

using namespace Poco::Data::Keywords;

namespace Palaver {
namespace Server {

namespace {

/// When a PostgreSQL connection last failed (µs since the epoch; 0: never).
/// An idle pooled session does not know that the server went away until it is
/// used, so for a while after a failure every session is tried before use.
std::atomic<Poco::Int64> lastConnectionFailure{0};
const Poco::Int64 SUSPECT_WINDOW_US = 60 * 1000 * 1000;

/// pg_advisory_xact_lock key serialising migrations across nodes ("Pala").
const Poco::Int64 MIGRATION_LOCK = 0x50616c61;

/// How long a TRUNCATE checkpoint waits for readers and the writer (it holds
/// back new writers meanwhile); when it cannot finish, the next period tries again.
const int CHECKPOINT_BUSY_TIMEOUT_MS = 200;

bool isPostgreSQLConnectionLoss(const Poco::Exception& e)
{
	using namespace Poco::Data::PostgreSQL;
	if (dynamic_cast<const ConnectionException*>(&e)) return true;  // includes TransactionException
	if (!dynamic_cast<const PostgreSQLException*>(&e)) return false;
	// libpq reports a lost server through the statement that found out.
	static const char* const signs[] = {
		"server closed the connection", "no connection to the server", "terminating connection",
		"could not connect", "connection to server", "could not send data", "could not receive data",
		"the database system is shutting down", "the database system is starting up",
		"the database system is in recovery mode", "connection not ok", "SSL connection has been closed",
		"57P01", "57P02", "57P03", "08006", "08003", "08001"
	};
	const std::string text = e.displayText();
	for (const char* sign: signs)
	{
		if (text.find(sign) != std::string::npos) return true;
	}
	return false;
}

} // namespace

/// Poco's pool, with every new SQLite session set up before first use.
class DatabaseImpl::Pool: public Poco::Data::SessionPool
{
public:
	/// walMaxSize > 0: checkpoints are left to DatabaseImpl's checkpointer
	/// (wal_autocheckpoint = 0) and a reset WAL shrinks to walMaxSize.
	Pool(const std::string& connector, const std::string& connection, int maxSessions, int busyTimeoutMs, const std::string& synchronous, Poco::Int64 walMaxSize):
		Poco::Data::SessionPool(connector, connection, 1, maxSessions, 60),
		_sqlite(connector == Poco::Data::SQLite::Connector::KEY),
		_busyTimeoutMs(busyTimeoutMs),
		_synchronous(synchronous),
		_walMaxSize(walMaxSize)
	{
	}

protected:
	void customizeSession(Poco::Data::Session& session) override
	{
		if (!_sqlite)
		{
			// No "relation already exists, skipping" notices on stderr.
			session << "SET client_min_messages = warning", now;
			return;
		}
		// Per-connection settings; journal_mode=WAL is stored in the file.
		session << "PRAGMA busy_timeout = " + std::to_string(_busyTimeoutMs), now;
		session << "PRAGMA foreign_keys = ON", now;
		session << "PRAGMA synchronous = " + _synchronous, now;
		if (_walMaxSize > 0)
		{
			session << "PRAGMA wal_autocheckpoint = 0", now;
			session << "PRAGMA journal_size_limit = " + std::to_string(_walMaxSize), now;
		}
	}

private:
	bool _sqlite;
	int _busyTimeoutMs;
	std::string _synchronous;
	Poco::Int64 _walMaxSize;
};

bool DatabaseImpl::isUnavailability(const Poco::Exception& e)
{
	// Locks that outlived the busy time-out, lost connections, a full,
	// read-only or failing disk: the store cannot take the work now.
	using namespace Poco::Data::SQLite;
	if (isPostgreSQLConnectionLoss(e) || dynamic_cast<const Poco::Data::ConnectionFailedException*>(&e))
	{
		lastConnectionFailure = Poco::Timestamp().epochMicroseconds();
		return true;
	}
	return dynamic_cast<const Poco::Data::SessionPoolExhaustedException*>(&e)
		|| dynamic_cast<const DBLockedException*>(&e)
		|| dynamic_cast<const TableLockedException*>(&e)
		|| dynamic_cast<const ReadOnlyException*>(&e)
		|| dynamic_cast<const IOErrorException*>(&e)
		|| dynamic_cast<const DatabaseFullException*>(&e)
		|| dynamic_cast<const CantOpenDBFileException*>(&e)
		|| dynamic_cast<const DBAccessDeniedException*>(&e);
}

DatabaseImpl::DatabaseImpl(const Poco::Util::AbstractConfiguration& config, Poco::Logger& logger):
	_logger(logger),
	_acquireTimeoutMs(config.getInt("database.acquire_timeout", 5000))
{
	const std::string connector = config.getString("database.connector", "sqlite");
	std::string connection = config.getString("database.connection", "");
	std::string key;
	if (connector == "sqlite")
	{
		_kind = Kind::SQLite;
		key = Poco::Data::SQLite::Connector::KEY;
		Poco::Data::SQLite::Connector::registerConnector();
		if (connection.empty())
			connection = config.getString("server.state_dir", "var") + "/palaver.db";
		Poco::File(Poco::Path(connection).parent()).createDirectories();
	}
	else if (connector == "postgresql")
	{
		_kind = Kind::PostgreSQL;
		key = Poco::Data::PostgreSQL::Connector::KEY;
		Poco::Data::PostgreSQL::Connector::registerConnector();
		if (connection.empty())
			throw Poco::InvalidArgumentException("[database] connection must name the PostgreSQL server, e.g. host=127.0.0.1 port=5432 dbname=palaver user=palaver");
	}
	else
	{
		throw Poco::InvalidArgumentException("[database] connector must be sqlite or postgresql, not", connector);
	}

	const std::string synchronous = Poco::toUpper(config.getString("database.synchronous", "NORMAL"));
	if (synchronous != "OFF" && synchronous != "NORMAL" && synchronous != "FULL" && synchronous != "EXTRA")
		throw Poco::InvalidArgumentException("[database] synchronous must be OFF, NORMAL, FULL or EXTRA, not", synchronous);

	if (_kind == Kind::SQLite)
	{
		// 0: SQLite's automatic checkpoints on the committing thread, as before.
		_checkpointIntervalMs = std::max(0, config.getInt("database.checkpoint_interval", 0));
		_walMaxSize = config.getInt64("database.wal_max_size", 16LL * 1024 * 1024);
		if (_walMaxSize < 64 * 1024)
			throw Poco::InvalidArgumentException("[database] wal_max_size must be at least 65536 bytes, not", std::to_string(_walMaxSize));
		_walPath = connection + "-wal";
	}

	_pool.reset(new Pool(key, connection,
		config.getInt("database.pool_size", 16), config.getInt("database.busy_timeout", 5000), synchronous,
		_checkpointIntervalMs > 0 ? _walMaxSize : 0));

	Poco::Data::Session session(_pool->get());
	if (_kind == Kind::SQLite)
	{
		std::string mode;
		session << "PRAGMA journal_mode = WAL", into(mode), now;
		if (Poco::toLower(mode) != "wal")
			_logger.warning("SQLite did not switch to WAL (journal_mode is %s)", mode);
		_logger.information("database: %s %s", connector, connection);
		if (_checkpointIntervalMs > 0 && Poco::toLower(mode) == "wal")
		{
			// A connection of its own, outside the pool: it never takes a
			// session from the requests, and they never wait for it.
			_checkpointSession.reset(new Poco::Data::Session(key, connection));
			*_checkpointSession << "PRAGMA busy_timeout = " + std::to_string(CHECKPOINT_BUSY_TIMEOUT_MS), now;
			*_checkpointSession << "PRAGMA wal_autocheckpoint = 0", now;
			*_checkpointSession << "PRAGMA journal_size_limit = " + std::to_string(_walMaxSize), now;
			_checkpointer.reset(new PeriodicTask("wal-checkpoint", "database: WAL checkpoint",
				std::chrono::milliseconds(_checkpointIntervalMs), [this] { checkpoint(); }, _logger));
			_checkpointer->start();
		}
	}
	else
	{
		// The connection string may hold a password: log only where it goes.
		std::string where;
		for (const auto& word: {"host", "port", "dbname", "user"})
		{
			const std::string prefix = std::string(word) + "=";
			const auto at = connection.find(prefix);
			if (at == std::string::npos || (at > 0 && connection[at - 1] != ' ')) continue;
			where += " " + connection.substr(at, connection.find(' ', at) - at);
		}
		_logger.information("database: postgresql%s", where);
	}
}

DatabaseImpl::~DatabaseImpl()
{
	if (_checkpointer) _checkpointer->stop();
	if (_pool) _pool->shutdown();
	// The last connection to close checkpoints the WAL and removes it.
	_checkpointSession.reset();
}

Poco::Int64 DatabaseImpl::checkpoint()
{
	if (!_checkpointSession) return 0;
	std::lock_guard<std::mutex> lock(_checkpointMutex);
	// (busy, frames in the WAL, frames checkpointed); busy = 1 is no error.
	int busy = 0;
	int frames = 0;
	int copied = 0;
	// Copies what it can without waiting for anyone; the next commit after a
	// complete one starts the WAL over from its beginning.
	*_checkpointSession << "PRAGMA wal_checkpoint(PASSIVE)", into(busy), into(frames), into(copied), now;
	Poco::Int64 size = walSize();
	if (size > _walMaxSize)
	{
		// Readers kept the WAL from starting over: wait (briefly) for a
		// moment without them and empty the file.
		*_checkpointSession << "PRAGMA wal_checkpoint(TRUNCATE)", into(busy), into(frames), into(copied), now;
		const Poco::Int64 before = size;
		size = walSize();
		if (busy)
			_logger.warning("database: the WAL holds %Ld bytes (over wal_max_size), and readers kept it from being truncated; retrying", size);
		else
			_logger.debug("database: WAL truncated (it held %Ld bytes)", before);
	}
	return size;
}

Poco::Int64 DatabaseImpl::walSize() const
{
	if (_walPath.empty()) return 0;
	try
	{
		Poco::File wal(_walPath);
		return wal.exists() ? static_cast<Poco::Int64>(wal.getSize()) : 0;
	}
	catch (Poco::FileException&)
	{
		return 0;  // removed between exists() and getSize()
	}
}

Poco::Data::Session DatabaseImpl::acquire()
{
	Poco::Data::Session session = _pool->get();
	if (_kind != Kind::PostgreSQL) return session;
	const Poco::Int64 failed = lastConnectionFailure.load();
	if (failed == 0 || Poco::Timestamp().epochMicroseconds() - failed > SUSPECT_WINDOW_US) return session;
	// The server went away lately: an idle session may be dead without
	// knowing it. Try it; a dead one fails here, is marked bad by libpq and
	// dropped by the pool when it comes back.
	int one = 0;
	session << "SELECT 1", into(one), now;
	return session;
}

Poco::Data::Session DatabaseImpl::session()
{
	const Poco::Timestamp started;
	int retries = 0;
	while (true)
	{
		try
		{
			return acquire();
		}
		catch (Poco::Data::SessionPoolExhaustedException&)
		{
			// Poco's pool does not wait for a free session: poll until the time-out.
			if (started.elapsed() / 1000 >= _acquireTimeoutMs)
			{
				_logger.warning("database: no free session after %ld ms", _acquireTimeoutMs);
				throw HttpError::unavailable();
			}
			Poco::Thread::sleep(2);
		}
		catch (Poco::Exception& e)
		{
			// A stale PostgreSQL session that failed its check: take the next
			// one (a bounded number of times: the pool's size and one more).
			if (_kind == Kind::PostgreSQL && isPostgreSQLConnectionLoss(e) && ++retries <= _pool->capacity())
				continue;
			_logger.error("database: cannot open a session: %s", e.displayText());
			isUnavailability(e);
			throw HttpError::unavailable();
		}
	}
}

void DatabaseImpl::transact(const std::function<void(Poco::Data::Session&)>& work)
{
	Poco::Data::Session session = this->session();
	try
	{
		if (_kind == Kind::SQLite)
			session << "BEGIN IMMEDIATE", now;
		else
			session.begin();
		work(session);
		if (_kind == Kind::SQLite)
			session << "COMMIT", now;
		else
			session.commit();
	}
	catch (Poco::Exception& e)
	{
		try
		{
			// Poco's SQLite session does not know about a BEGIN it did not
			// issue itself (isTransaction() stays false), so roll back in SQL:
			// a session must never go back to the pool inside a transaction.
			if (_kind == Kind::SQLite)
				session << "ROLLBACK", now;
			else if (session.isTransaction())
				session.rollback();
		}
		catch (Poco::Exception& rollbackError)
		{
			// "no transaction is active": the failed statement already ended it.
			_logger.debug("database: rollback: %s", rollbackError.displayText());
		}
		if (dynamic_cast<HttpError*>(&e) == nullptr && isUnavailability(e))
		{
			_logger.error("database: %s", e.displayText());
			throw HttpError::unavailable();
		}
		throw;
	}
}

void DatabaseImpl::lockMigrations(Poco::Data::Session& session)
{
	// Nodes starting together migrate one after the other: the lock is held
	// until the transaction ends.
	if (_kind != Kind::PostgreSQL) return;
	Poco::Int64 key = MIGRATION_LOCK;
	int one = 0;
	session << sql("SELECT 1 FROM (SELECT pg_advisory_xact_lock(?)) AS locked"), use(key), into(one), now;
}

void DatabaseImpl::migrate(const std::string& component, const std::vector<std::vector<std::string>>& steps)
{
	// Under the lock on PostgreSQL: two concurrent CREATE TABLE IF NOT EXISTS
	// can both find no table and one then fails on the catalogue's unique index.
	transact([&](Poco::Data::Session& session)
	{
		lockMigrations(session);
		session << "CREATE TABLE IF NOT EXISTS schema_versions (component VARCHAR(100) PRIMARY KEY, version INTEGER NOT NULL)", now;
	});
	for (std::size_t target = 1; target <= steps.size(); ++target)
	{
		bool applied = false;
		transact([&](Poco::Data::Session& session)
		{
			lockMigrations(session);
			int version = 0;
			std::string name = component;
			session << sql("SELECT version FROM schema_versions WHERE component = ?"), use(name), into(version), now;
			if (static_cast<std::size_t>(version) >= target) return;
			for (const auto& statement: steps[target - 1])
				session << statement, now;
			int reached = static_cast<int>(target);
			if (version == 0)
				session << sql("INSERT INTO schema_versions (component, version) VALUES (?, ?)"), use(name), use(reached), now;
			else
				session << sql("UPDATE schema_versions SET version = ? WHERE component = ?"), use(reached), use(name), now;
			applied = true;
		});
		if (applied) _logger.information("database: %s schema migrated to version %z", component, target);
	}
}

std::string DatabaseImpl::sql(const std::string& statement) const
{
	if (_kind != Kind::PostgreSQL) return statement;
	std::string converted;
	int index = 0;
	for (char c: statement)
	{
		if (c == '?')
			converted += "$" + std::to_string(++index);
		else
			converted += c;
	}
	return converted;
}

std::string DatabaseImpl::serialPrimaryKey() const
{
	return _kind == Kind::PostgreSQL ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT";
}

bool DatabaseImpl::reachable()
{
	try
	{
		Poco::Data::Session session = this->session();
		int one = 0;
		session << "SELECT 1", into(one), now;
		return one == 1;
	}
	catch (Poco::Exception& e)
	{
		isUnavailability(e);
		return false;
	}
}

} } // namespace Palaver::Server
