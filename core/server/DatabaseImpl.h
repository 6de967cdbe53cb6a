//
// DatabaseImpl.h
//

#ifndef Palaver_Server_DatabaseImpl_INCLUDED
#define Palaver_Server_DatabaseImpl_INCLUDED

#include "palaver/Database.h"
#include "palaver/PeriodicTask.h"
#include <Poco/Data/SessionPool.h>
#include <Poco/Logger.h>
#include <Poco/Util/AbstractConfiguration.h>
#include <atomic>
#include <memory>
#include <mutex>

namespace Palaver {
namespace Server {

/// The [database] section made real: a session pool whose SQLite sessions are
/// set up for concurrent use (WAL, busy time-out, foreign keys), or whose
/// PostgreSQL sessions are checked again after the server went away.
///
/// SQLite WAL checkpoints run on a thread of their own ([database]
/// checkpoint_interval, default 250 ms): sessions are opened with
/// wal_autocheckpoint = 0, so that no commit copies pages back into the
/// database file or waits for the fsyncs of a checkpoint. Each period the
/// checkpointer runs a PASSIVE checkpoint (it never blocks readers or writers);
/// under constant commits a PASSIVE checkpoint never catches up completely, so
/// the WAL never starts over and keeps growing: once the file is past
/// [database] wal_max_size, a TRUNCATE checkpoint waits for a moment without
/// writers (holding new ones back briefly) and empties it. The WAL file thus
/// stays under wal_max_size plus what is committed in one period. Commits stay
/// exactly as durable as with SQLite's automatic checkpoints.
class DatabaseImpl: public Database
{
public:
	/// Reads [database]; throws Poco::InvalidArgumentException for an unknown
	/// connector and Poco::Data exceptions when the store cannot be opened.
	DatabaseImpl(const Poco::Util::AbstractConfiguration& config, Poco::Logger& logger);
	~DatabaseImpl() override;

	Kind kind() const override { return _kind; }
	Poco::Data::Session session() override;
	void transact(const std::function<void(Poco::Data::Session&)>& work) override;
	void migrate(const std::string& component, const std::vector<std::vector<std::string>>& steps) override;
	std::string sql(const std::string& statement) const override;
	std::string serialPrimaryKey() const override;

	/// True when a trivial query succeeds (for GET /health).
	bool reachable();

	/// Checkpoints the SQLite WAL now (as the checkpointer does each period);
	/// returns the WAL file's size in bytes afterwards. 0 on PostgreSQL.
	Poco::Int64 checkpoint();

	/// The SQLite WAL file's size in bytes (0 when absent or on PostgreSQL).
	Poco::Int64 walSize() const;

	/// True for errors that mean "the store cannot take work now" (locks past
	/// the busy time-out, lost connection, full or read-only disk): 503, not 500.
	/// A PostgreSQL connection failure also makes every pool check its idle
	/// sessions for a while, so that service resumes when the server is back.
	static bool isUnavailability(const Poco::Exception& e);

private:
	class Pool;

	Poco::Data::Session acquire();
	void lockMigrations(Poco::Data::Session& session);

	Kind _kind;
	Poco::Logger& _logger;
	long _acquireTimeoutMs;
	std::unique_ptr<Pool> _pool;

	// SQLite checkpointer: its own connection, used under _checkpointMutex.
	std::string _walPath;
	long _checkpointIntervalMs = 0;
	Poco::Int64 _walMaxSize = 0;
	std::unique_ptr<Poco::Data::Session> _checkpointSession;
	std::mutex _checkpointMutex;
	std::unique_ptr<PeriodicTask> _checkpointer;
};

} } // namespace Palaver::Server

#endif
