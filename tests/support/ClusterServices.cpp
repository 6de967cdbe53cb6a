#include "ClusterServices.h"
#include "TestServer.h"
#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Environment.h>
#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/NumberParser.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>
#include <Poco/TemporaryFile.h>
#include <fstream>
#include <sstream>

using namespace Poco::Data::Keywords;

namespace Palaver {
namespace Testing {

namespace {

std::string readFile(const std::string& path)
{
	std::ifstream in(path);
	if (!in) throw Poco::FileNotFoundException(path);
	std::stringstream text;
	text << in.rdbuf();
	return Poco::trim(text.str());
}

Poco::Data::Session adminSession(const std::string& server)
{
	Poco::Data::PostgreSQL::Connector::registerConnector();
	return Poco::Data::Session("postgresql", server + " dbname=postgres");
}

} // namespace

ClusterServices::ClusterServices():
	_dir(Poco::TemporaryFile::tempName())
{
	Poco::File(_dir).createDirectories();
}

ClusterServices::~ClusterServices()
{
	try
	{
		if (_redis) run("redis-stop", _dir);
		if (_postgreSQL) run("pg-destroy", _dir);
		Poco::File(_dir).remove(true);
	}
	catch (...)
	{
	}
}

std::string ClusterServices::run(const std::string& command, const std::string& dir)
{
	Poco::Pipe pipe;
	Poco::ProcessHandle handle = Poco::Process::launch(
		TestServer::sourceDir() + "/tests/integration/cluster/services.sh", {command, dir}, nullptr, &pipe, &pipe);
	Poco::PipeInputStream stream(pipe);
	std::string output;
	Poco::StreamCopier::copyToString(stream, output);
	const int code = handle.wait();
	if (code != 0) throw Poco::RuntimeException("services.sh " + command + " failed", output);
	return output;
}

void ClusterServices::startPostgreSQL()
{
	_postgreSQL = true;
	run("pg-start", _dir);
}

void ClusterServices::stopPostgreSQL()
{
	run("pg-stop", _dir);
}

void ClusterServices::startRedis()
{
	_redis = true;
	run("redis-start", _dir);
}

void ClusterServices::killRedis()
{
	run("redis-stop", _dir);
}

std::string ClusterServices::read(const std::string& file) const
{
	return readFile(_dir + "/" + file);
}

std::string ClusterServices::postgreSQL() const
{
	return read("pg.conn");
}

Poco::UInt16 ClusterServices::redisPort() const
{
	return static_cast<Poco::UInt16>(Poco::NumberParser::parseUnsigned(read("redis.port")));
}

std::string ClusterServices::redisUrl() const
{
	return "redis://127.0.0.1:" + std::to_string(redisPort());
}

std::string ClusterServices::createDatabase(const std::string& server, const std::string& name)
{
	// name is ours (letters, digits, _), never a user's: safe as an identifier.
	Poco::Data::Session session = adminSession(server);
	int count = 0;
	std::string key = name;
	session << "SELECT COUNT(*) FROM pg_database WHERE datname = $1", use(key), into(count), now;
	if (count == 0) session << "CREATE DATABASE " + name, now;
	return server + " dbname=" + name;
}

void ClusterServices::dropDatabase(const std::string& server, const std::string& name)
{
	Poco::Data::Session session = adminSession(server);
	session << "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)", now;
}

std::string ClusterServices::postgreSQLOverride()
{
	const std::string file = Poco::Environment::get("PALAVER_TEST_POSTGRESQL_FILE", "");
	if (file.empty()) return "";
	const std::string server = readFile(file);
	if (server.empty()) throw Poco::RuntimeException("PALAVER_TEST_POSTGRESQL_FILE is empty", file);
	return server;
}

} } // namespace Palaver::Testing
