#include "DatabaseImpl.h"
#include "palaver/HttpError.h"
#include <Poco/Data/DataException.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/SQLiteException.h>
#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/Thread.h>
#include <Poco/Timestamp.h>

using namespace Poco::Data::Keywords;

namespace Palaver {
namespace Server {

/// Poco's pool, with every new SQLite session set up before first use.
class DatabaseImpl::Pool: public Poco::Data::SessionPool
{
public:
	Pool(const std::string& connector, const std::string& connection, int maxSessions, int busyTimeoutMs, const std::string& synchronous):
		Poco::Data::SessionPool(connector, connection, 1, maxSessions, 60),
		_sqlite(connector == Poco::Data::SQLite::Connector::KEY),
		_busyTimeoutMs(busyTimeoutMs),
		_synchronous(synchronous)
	{
	}

protected:
	void customizeSession(Poco::Data::Session& session) override
	{
		if (!_sqlite) return;
		// Per-connection settings; journal_mode=WAL is stored in the file.
		session << "PRAGMA busy_timeout = " + std::to_string(_busyTimeoutMs), now;
		session << "PRAGMA foreign_keys = ON", now;
		session << "PRAGMA synchronous = " + _synchronous, now;
	}

private:
	bool _sqlite;
	int _busyTimeoutMs;
	std::string _synchronous;
};

bool DatabaseImpl::isUnavailability(const Poco::Exception& e)
{
	// Locks that outlived the busy time-out, lost connections, a full,
	// read-only or failing disk: the store cannot take the work now.
	using namespace Poco::Data::SQLite;
	return dynamic_cast<const Poco::Data::ConnectionFailedException*>(&e)
		|| dynamic_cast<const Poco::Data::SessionPoolExhaustedException*>(&e)
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
	if (connector == "sqlite")
	{
		_kind = Kind::SQLite;
		Poco::Data::SQLite::Connector::registerConnector();
		if (connection.empty())
			connection = config.getString("server.state_dir", "var") + "/palaver.db";
		Poco::File(Poco::Path(connection).parent()).createDirectories();
	}
	else if (connector == "postgresql")
	{
		throw Poco::InvalidArgumentException("[database] connector = postgresql is not built into this palaverd yet");
	}
	else
	{
		throw Poco::InvalidArgumentException("[database] connector must be sqlite or postgresql, not", connector);
	}

	const std::string synchronous = Poco::toUpper(config.getString("database.synchronous", "NORMAL"));
	if (synchronous != "OFF" && synchronous != "NORMAL" && synchronous != "FULL" && synchronous != "EXTRA")
		throw Poco::InvalidArgumentException("[database] synchronous must be OFF, NORMAL, FULL or EXTRA, not", synchronous);

	_pool.reset(new Pool(Poco::Data::SQLite::Connector::KEY, connection,
		config.getInt("database.pool_size", 16), config.getInt("database.busy_timeout", 5000), synchronous));

	if (_kind == Kind::SQLite)
	{
		Poco::Data::Session session(_pool->get());
		std::string mode;
		session << "PRAGMA journal_mode = WAL", into(mode), now;
		if (Poco::toLower(mode) != "wal")
			_logger.warning("SQLite did not switch to WAL (journal_mode is %s)", mode);
	}
	_logger.information("database: %s %s", connector, connection);
}

DatabaseImpl::~DatabaseImpl()
{
	if (_pool) _pool->shutdown();
}

Poco::Data::Session DatabaseImpl::session()
{
	const Poco::Timestamp started;
	while (true)
	{
		try
		{
			return _pool->get();
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
			_logger.error("database: cannot open a session: %s", e.displayText());
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

void DatabaseImpl::migrate(const std::string& component, const std::vector<std::vector<std::string>>& steps)
{
	{
		Poco::Data::Session session = this->session();
		session << "CREATE TABLE IF NOT EXISTS schema_versions (component VARCHAR(100) PRIMARY KEY, version INTEGER NOT NULL)", now;
	}
	for (std::size_t target = 1; target <= steps.size(); ++target)
	{
		bool applied = false;
		transact([&](Poco::Data::Session& session)
		{
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
	catch (Poco::Exception&)
	{
		return false;
	}
}

} } // namespace Palaver::Server
