//
// ClusterServices.h
//
// A throw-away PostgreSQL and Redis on loopback for tests (through
// tests/integration/cluster/services.sh), and the switch that runs any
// integration test's palaverd on PostgreSQL.
//

#ifndef Palaver_Testing_ClusterServices_INCLUDED
#define Palaver_Testing_ClusterServices_INCLUDED

#include <Poco/Types.h>
#include <string>

namespace Palaver {
namespace Testing {

class ClusterServices
{
public:
	/// A fresh folder for the servers' state; nothing started yet.
	ClusterServices();
	~ClusterServices();  /// stops both servers and removes their data

	/// Start (again, with the same data and port) or stop the server; throw
	/// Poco::RuntimeException with the script's output when that fails.
	void startPostgreSQL();
	void stopPostgreSQL();
	void startRedis();
	void killRedis();  /// SIGKILL, as a crash would

	/// "host=127.0.0.1 port=N user=postgres" (no dbname).
	std::string postgreSQL() const;
	/// "redis://127.0.0.1:N".
	std::string redisUrl() const;
	Poco::UInt16 redisPort() const;

	/// Creates the database if missing; returns its full connection string.
	static std::string createDatabase(const std::string& server, const std::string& name);
	static void dropDatabase(const std::string& server, const std::string& name);

	/// When PALAVER_TEST_POSTGRESQL_FILE is set: the server named in that
	/// file, which every TestServer then uses (one database per state folder).
	/// Empty when unset; throws when set but unreadable, so that a PostgreSQL
	/// run never silently runs on SQLite.
	static std::string postgreSQLOverride();

	/// Runs services.sh; throws with its output if it fails.
	static std::string run(const std::string& command, const std::string& dir);

private:
	std::string read(const std::string& file) const;

	std::string _dir;
	bool _postgreSQL = false;
	bool _redis = false;
};

} } // namespace Palaver::Testing

#endif
