//
// Backup.h
//

#ifndef Palaver_Server_Backup_INCLUDED
#define Palaver_Server_Backup_INCLUDED

#include <Poco/Util/AbstractConfiguration.h>
#include <string>

namespace Palaver {
namespace Server {

/// `palaverctl backup FILE`, run inside palaverd while it keeps serving:
///  - SQLite: SQLite's online backup API copies the database, as of one
///    moment, to FILE (written aside, then renamed); writers go on meanwhile
///    (WAL), readers too.
///  - PostgreSQL: `pg_dump --format=custom` of [database] connection to FILE;
///    a password in the connection string goes to pg_dump in its environment
///    (PGPASSWORD), never on its command line, which every local user can read.
/// Then every other file of [server] state_dir (avatars, uploads; not the
/// database, its -wal/-shm, nor sockets) is copied to FILE.files/. Restore
/// steps: docs/DEPLOYMENT.md, "Backup and restore".
class Backup
{
public:
	/// Returns what was written. Throws Poco::Exception on failure (a
	/// partial FILE is removed).
	static std::string run(const Poco::Util::AbstractConfiguration& config, const std::string& file);

	/// connection without its password (libpq "key=value" form, values
	/// possibly in single quotes with \' and \\; or a postgresql:// URI
	/// with user:password@); the password, unquoted (or percent-decoded), in
	/// password.
	static std::string withoutPassword(const std::string& connection, std::string& password);

private:
	static void copySQLite(const std::string& database, const std::string& file);
	static void dumpPostgreSQL(const std::string& connection, const std::string& file);
	static std::size_t copyFiles(const std::string& from, const std::string& to, const std::string& database);
};

} } // namespace Palaver::Server

#endif
