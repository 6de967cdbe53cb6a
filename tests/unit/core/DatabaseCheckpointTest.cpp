// Unit tests of DatabaseImpl's WAL checkpointer (SQLite): commits never
// checkpoint, the WAL stays bounded under constant commits and readers, the
// data is intact after a clean restart and after a crash, and the checkpointer
// thread stops at once.
#include "DatabaseImpl.h"
#include <Poco/AutoPtr.h>
#include <Poco/File.h>
#include <Poco/Logger.h>
#include <Poco/TemporaryFile.h>
#include <Poco/Timestamp.h>
#include <Poco/Util/MapConfiguration.h>
#include <cppunit/extensions/HelperMacros.h>
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>
#include <cstdio>
#include <cstdlib>
#include <sys/wait.h>
#include <unistd.h>

using namespace Poco::Data::Keywords;
using Palaver::Server::DatabaseImpl;

namespace {

const Poco::Int64 WAL_MAX = 256 * 1024;
const int ROWS = 3000;

Poco::Logger& logger()
{
	return Poco::Logger::get("test.database");
}

std::string text(int i)
{
	// ~600 bytes a row, different for every row.
	std::string value = "row " + std::to_string(i) + " ";
	while (value.size() < 600) value += static_cast<char>('a' + (value.size() * 7 + i) % 26);
	return value;
}

} // namespace

class DatabaseCheckpointTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(DatabaseCheckpointTest);
	CPPUNIT_TEST(testCommitsDoNotCheckpoint);
	CPPUNIT_TEST(testWalBoundedUnderLoad);
	CPPUNIT_TEST(testTruncatesDespiteReaders);
	CPPUNIT_TEST(testIntactAfterRestart);
	CPPUNIT_TEST(testIntactAfterCrash);
	CPPUNIT_TEST(testStopsAtOnce);
	CPPUNIT_TEST(testAutomaticWhenOff);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		_dir.reset(new Poco::TemporaryFile);
		Poco::File(_dir->path()).createDirectories();
	}

	void tearDown() override
	{
		_dir.reset();
	}

	void testCommitsDoNotCheckpoint()
	{
		std::unique_ptr<DatabaseImpl> database = open(60000);
		Poco::Data::Session session = database->session();
		int pages = -1;
		session << "PRAGMA wal_autocheckpoint", into(pages), now;
		CPPUNIT_ASSERT_EQUAL(0, pages);
		Poco::Int64 limit = 0;
		session << "PRAGMA journal_size_limit", into(limit), now;
		CPPUNIT_ASSERT_EQUAL(WAL_MAX, limit);
		std::string mode;
		session << "PRAGMA journal_mode", into(mode), now;
		CPPUNIT_ASSERT_EQUAL(std::string("wal"), mode);

		// With the checkpointer idle for a minute, commits only append to the WAL.
		fill(*database, 0, 500);
		const Poco::Int64 grown = database->walSize();
		CPPUNIT_ASSERT_MESSAGE(std::to_string(grown), grown > WAL_MAX);
		// One checkpoint brings it back under the bound (TRUNCATE: empty).
		CPPUNIT_ASSERT(database->checkpoint() <= WAL_MAX);
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(500), count(*database));
	}

	void testWalBoundedUnderLoad()
	{
		std::unique_ptr<DatabaseImpl> database = open(20);
		// Readers all the time, as requests do: they keep the WAL from
		// starting over after PASSIVE checkpoints.
		Readers readers(*database);
		Poco::Int64 peak = 0;
		for (int i = 0; i < ROWS; i += 10)
		{
			fill(*database, i, 10);
			peak = std::max(peak, database->walSize());
			// A writer that leaves the (shared, 2-core) machine a breath.
			std::this_thread::sleep_for(std::chrono::milliseconds(1));
		}
		readers.stop();
		// Without checkpoints the WAL would hold every commit: > 3000 pages
		// (12 MiB). It holds what is committed between two checkpoints.
		CPPUNIT_ASSERT_MESSAGE("peak " + std::to_string(peak), peak < ROWS * 4096LL / 3);
		// Within a few periods it is back under wal_max_size.
		const Poco::Timestamp started;
		while (database->walSize() > WAL_MAX && started.elapsed() < 10 * 1000000)
			std::this_thread::sleep_for(std::chrono::milliseconds(10));
		CPPUNIT_ASSERT_MESSAGE(std::to_string(database->walSize()), database->walSize() <= WAL_MAX);
		checkRows(*database, ROWS);
	}

	void testTruncatesDespiteReaders()
	{
		// The checkpointer idle: the WAL grows past the bound with readers
		// busy all along; one checkpoint still empties it.
		std::unique_ptr<DatabaseImpl> database = open(60000);
		Readers readers(*database);
		fill(*database, 0, 300);
		CPPUNIT_ASSERT(database->walSize() > WAL_MAX);
		Poco::Int64 size = database->checkpoint();
		for (int attempt = 0; attempt < 20 && size > WAL_MAX; ++attempt)
			size = database->checkpoint();  // a reader may have held it past the 200 ms once
		readers.stop();
		CPPUNIT_ASSERT_MESSAGE(std::to_string(size), size <= WAL_MAX);
		checkRows(*database, 300);
	}

	void testIntactAfterRestart()
	{
		{
			std::unique_ptr<DatabaseImpl> database = open(20);
			fill(*database, 0, ROWS);
		}
		std::unique_ptr<DatabaseImpl> database = open(20);
		checkRows(*database, ROWS);
		fill(*database, ROWS, 10);
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(ROWS + 10), count(*database));
	}

	void testIntactAfterCrash()
	{
		// A child process commits and dies without closing anything (the
		// checkpointer may be anywhere): every commit must be there after.
		const int committed = 1000;
		const pid_t child = fork();
		CPPUNIT_ASSERT(child >= 0);
		if (child == 0)
		{
			int status = 1;
			try
			{
				std::unique_ptr<DatabaseImpl> database = open(5);
				fill(*database, 0, committed);
				status = 0;
				_exit(status);  // no destructor: no final checkpoint
			}
			catch (...)
			{
			}
			_exit(status);
		}
		int status = -1;
		CPPUNIT_ASSERT_EQUAL(child, waitpid(child, &status, 0));
		CPPUNIT_ASSERT(WIFEXITED(status));
		CPPUNIT_ASSERT_EQUAL(0, WEXITSTATUS(status));
		std::unique_ptr<DatabaseImpl> database = open(20);
		checkRows(*database, committed);
	}

	void testStopsAtOnce()
	{
		const Poco::Timestamp started;
		{
			std::unique_ptr<DatabaseImpl> database = open(3600 * 1000);
			fill(*database, 0, 10);
		}
		CPPUNIT_ASSERT_MESSAGE(std::to_string(started.elapsed()), started.elapsed() < 3 * 1000000);
		// The last connection's close checkpointed the WAL away.
		CPPUNIT_ASSERT(!Poco::File(_dir->path() + "/palaver.db-wal").exists());
	}

	void testAutomaticWhenOff()
	{
		std::unique_ptr<DatabaseImpl> database = open(0);
		Poco::Data::Session session = database->session();
		int pages = 0;
		session << "PRAGMA wal_autocheckpoint", into(pages), now;
		CPPUNIT_ASSERT_EQUAL(1000, pages);  // SQLite's default
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(0), database->checkpoint());
	}

private:
	/// Two threads reading in a loop until stop().
	class Readers
	{
	public:
		explicit Readers(DatabaseImpl& database)
		{
			for (int i = 0; i < 2; ++i)
			{
				_threads.emplace_back([this, &database]
				{
					while (!_stop)
					{
						try
						{
							Poco::Data::Session session = database.session();
							Poco::Int64 rows = 0;
							session << "SELECT COUNT(*) FROM items", into(rows), now;
						}
						catch (Poco::Exception&)
						{
						}
					}
				});
			}
		}

		~Readers() { stop(); }

		void stop()
		{
			_stop = true;
			for (auto& thread: _threads)
				if (thread.joinable()) thread.join();
		}

	private:
		std::atomic<bool> _stop{false};
		std::vector<std::thread> _threads;
	};

	std::unique_ptr<DatabaseImpl> open(int intervalMs)
	{
		Poco::AutoPtr<Poco::Util::MapConfiguration> config = new Poco::Util::MapConfiguration;
		config->setString("database.connector", "sqlite");
		config->setString("database.connection", _dir->path() + "/palaver.db");
		config->setString("database.synchronous", "NORMAL");
		config->setInt("database.checkpoint_interval", intervalMs);
		config->setInt64("database.wal_max_size", WAL_MAX);
		std::unique_ptr<DatabaseImpl> database(new DatabaseImpl(*config, logger()));
		database->migrate("checkpointtest", {{"CREATE TABLE items (id INTEGER PRIMARY KEY, value TEXT NOT NULL)"}});
		return database;
	}

	// Commits rows first .. first+n-1, one transaction each.
	static void fill(DatabaseImpl& database, int first, int n)
	{
		for (int i = first; i < first + n; ++i)
		{
			database.transact([&](Poco::Data::Session& session)
			{
				int id = i;
				std::string value = text(i);
				session << "INSERT INTO items (id, value) VALUES (?, ?)", use(id), use(value), now;
			});
		}
	}

	static Poco::Int64 count(DatabaseImpl& database)
	{
		Poco::Data::Session session = database.session();
		Poco::Int64 rows = 0;
		session << "SELECT COUNT(*) FROM items", into(rows), now;
		return rows;
	}

	static void checkRows(DatabaseImpl& database, int n)
	{
		Poco::Data::Session session = database.session();
		std::string integrity;
		session << "PRAGMA integrity_check", into(integrity), now;
		CPPUNIT_ASSERT_EQUAL(std::string("ok"), integrity);
		std::vector<int> ids;
		std::vector<std::string> values;
		session << "SELECT id, value FROM items ORDER BY id", into(ids), into(values), now;
		CPPUNIT_ASSERT_EQUAL(static_cast<std::size_t>(n), ids.size());
		for (int i = 0; i < n; ++i)
		{
			CPPUNIT_ASSERT_EQUAL(i, ids[i]);
			CPPUNIT_ASSERT(values[i] == text(i));
		}
	}

	std::unique_ptr<Poco::TemporaryFile> _dir;
};

CPPUNIT_TEST_SUITE_REGISTRATION(DatabaseCheckpointTest);
