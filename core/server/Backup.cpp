#include "Backup.h"
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Data/Session.h>
#include <Poco/DirectoryIterator.h>
#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <algorithm>
#include <sqlite3.h>

namespace Palaver {
namespace Server {

namespace {

/// Removes a file when the backup fails half-way.
struct PartialFile
{
	explicit PartialFile(std::string path): path(std::move(path)) {}
	~PartialFile()
	{
		if (path.empty()) return;
		try
		{
			Poco::File(path).remove();
		}
		catch (Poco::Exception&)
		{
		}
	}
	std::string path;
};

} // namespace

std::string Backup::run(const Poco::Util::AbstractConfiguration& config, const std::string& file)
{
	if (file.empty()) throw Poco::InvalidArgumentException("usage: palaverctl backup FILE");
	const std::string target = Poco::Path(file).absolute().toString();
	if (Poco::File(target).exists()) throw Poco::ExistsException("will not overwrite", target);
	const std::string stateDir = config.getString("server.state_dir", "var");
	const std::string connector = config.getString("database.connector", "sqlite");
	std::string database = config.getString("database.connection", "");
	if (connector == "sqlite")
	{
		if (database.empty()) database = stateDir + "/palaver.db";
		copySQLite(database, target);
	}
	else
	{
		dumpPostgreSQL(database, target);
	}
	const std::size_t files = copyFiles(stateDir, target + ".files", Poco::Path(database).absolute().toString());
	return "database (" + connector + ") written to " + target + "\n" + std::to_string(files) + " stored files copied to " + target + ".files/\n";
}

void Backup::copySQLite(const std::string& database, const std::string& file)
{
	Poco::Data::SQLite::Connector::registerConnector();
	Poco::Data::Session session(Poco::Data::SQLite::Connector::KEY, database);
	sqlite3* source = Poco::Data::SQLite::Utility::dbHandle(session);
	const std::string aside = file + ".partial";
	PartialFile partial(aside);
	sqlite3* destination = nullptr;
	int rc = sqlite3_open(aside.c_str(), &destination);
	if (rc == SQLITE_OK)
	{
		sqlite3_backup* backup = sqlite3_backup_init(destination, "main", source, "main");
		if (backup)
		{
			// One step: the whole copy reads one snapshot; WAL writers go on.
			rc = sqlite3_backup_step(backup, -1);
			sqlite3_backup_finish(backup);
			if (rc == SQLITE_DONE) rc = SQLITE_OK;
		}
		else
		{
			rc = sqlite3_errcode(destination);
		}
	}
	const std::string error = destination ? sqlite3_errmsg(destination) : "cannot open";
	sqlite3_close(destination);
	if (rc != SQLITE_OK) throw Poco::IOException("SQLite backup failed", error + " (" + std::to_string(rc) + ")");
	Poco::File(aside).renameTo(file);
	partial.path.clear();
}

void Backup::dumpPostgreSQL(const std::string& connection, const std::string& file)
{
	std::string password;
	const std::string dbname = withoutPassword(connection, password);
	Poco::Process::Env environment;
	if (!password.empty()) environment["PGPASSWORD"] = password;
	Poco::Pipe output;
	Poco::ProcessHandle process = Poco::Process::launch("pg_dump",
		{"--format=custom", "--file=" + file, "--dbname=" + dbname}, "", nullptr, &output, &output, environment);
	Poco::PipeInputStream in(output);
	std::string messages;
	Poco::StreamCopier::copyToString(in, messages);
	const int status = process.wait();
	if (status != 0)
	{
		PartialFile partial(file);
		throw Poco::IOException("pg_dump failed (exit " + std::to_string(status) + ")", messages.substr(0, 4096));
	}
}

std::string Backup::withoutPassword(const std::string& connection, std::string& password)
{
	password.clear();
	for (const std::string scheme: {"postgresql://", "postgres://"})
	{
		if (connection.compare(0, scheme.size(), scheme) != 0) continue;
		const std::size_t hostStart = connection.find_first_of("/?", scheme.size());
		const std::size_t at = connection.rfind('@', hostStart);
		if (at == std::string::npos || at < scheme.size()) return connection;
		const std::size_t colon = connection.find(':', scheme.size());
		if (colon == std::string::npos || colon > at) return connection;
		Poco::URI::decode(connection.substr(colon + 1, at - colon - 1), password);
		return connection.substr(0, colon) + connection.substr(at);
	}
	std::string kept;
	std::size_t i = 0;
	while (i < connection.size())
	{
		while (i < connection.size() && connection[i] == ' ') ++i;
		const std::size_t keyStart = i;
		while (i < connection.size() && connection[i] != '=' && connection[i] != ' ') ++i;
		const std::string key = connection.substr(keyStart, i - keyStart);
		while (i < connection.size() && connection[i] == ' ') ++i;
		if (i < connection.size() && connection[i] == '=') ++i;
		while (i < connection.size() && connection[i] == ' ') ++i;
		const std::size_t valueStart = i;
		std::string value;
		if (i < connection.size() && connection[i] == '\'')
		{
			for (++i; i < connection.size() && connection[i] != '\''; ++i)
			{
				if (connection[i] == '\\' && i + 1 < connection.size()) ++i;
				value += connection[i];
			}
			++i;
		}
		else
		{
			while (i < connection.size() && connection[i] != ' ') value += connection[i++];
		}
		if (key.empty()) continue;
		if (key == "password") password = value;
		else kept += (kept.empty() ? "" : " ") + key + "=" + connection.substr(valueStart, std::min(i, connection.size()) - valueStart);
	}
	return kept;
}

std::size_t Backup::copyFiles(const std::string& from, const std::string& to, const std::string& database)
{
	Poco::File source(from);
	if (!source.exists() || !source.isDirectory()) return 0;
	std::size_t copied = 0;
	Poco::File(to).createDirectories();
	for (Poco::DirectoryIterator it(from), end; it != end; ++it)
	{
		const std::string path = Poco::Path(it->path()).absolute().toString();
		if (path == database || path == database + "-wal" || path == database + "-shm" || path == database + "-journal") continue;
		if (it->isDirectory())
		{
			copied += copyFiles(path, to + "/" + it.name(), database);
		}
		else if (it->isFile() && !it->isLink())
		{
			it->copyTo(to + "/" + it.name());
			++copied;
		}
	}
	return copied;
}

} } // namespace Palaver::Server
