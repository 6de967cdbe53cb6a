//
// DatabaseImpl.h
//

#ifndef Palaver_Server_DatabaseImpl_INCLUDED
#define Palaver_Server_DatabaseImpl_INCLUDED

#include "palaver/Database.h"
#include <Poco/Data/SessionPool.h>
#include <Poco/Logger.h>
#include <Poco/Util/AbstractConfiguration.h>
#include <atomic>
#include <memory>

namespace Palaver {
namespace Server {

/// The [database] section made real: a session pool whose SQLite sessions are
/// set up for concurrent use (WAL, busy time-out, foreign keys), or whose
/// PostgreSQL sessions are checked again after the server went away.
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
};

} } // namespace Palaver::Server

#endif
