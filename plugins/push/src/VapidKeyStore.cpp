#include "VapidKeyStore.h"
#include "palaver/Database.h"
#include <Poco/Data/Statement.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/Logger.h>
#include <Poco/StreamCopier.h>
#include <Poco/Timestamp.h>

using namespace Poco::Data::Keywords;

namespace Palaver {
namespace Push {

namespace {

/// A PEM file is a few hundred bytes: anything much larger is no key.
constexpr std::size_t MAX_PEM = 16384;

std::string readPem(const std::string& path)
{
	Poco::FileInputStream in(path);
	std::string text;
	Poco::StreamCopier::copyToString(in, text);
	if (text.size() > MAX_PEM) throw Poco::DataFormatException("too large for a VAPID key file", path);
	return text;
}

} // namespace

VapidKeyStore::VapidKeyStore(Database& database):
	_database(database)
{
}

std::string VapidKeyStore::storeIfAbsent(const std::string& candidatePem, bool& stored)
{
	std::string pem;
	stored = false;
	_database.transact([&](Poco::Data::Session& session)
	{
		std::vector<std::string> rows;
		session << _database.sql("SELECT private_key FROM push_vapid_key WHERE id = 1"), into(rows), now;
		if (rows.empty())
		{
			// Another node may insert between the SELECT and here (PostgreSQL):
			// its row wins, and the SELECT after reads it.
			std::string candidate = candidatePem;
			Poco::Int64 createdAt = Poco::Timestamp().epochMicroseconds();
			Poco::Data::Statement insert(session);
			insert << _database.sql("INSERT INTO push_vapid_key (id, private_key, created_at) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING"),
				use(candidate), use(createdAt);
			stored = insert.execute() > 0;
			rows.clear();
			session << _database.sql("SELECT private_key FROM push_vapid_key WHERE id = 1"), into(rows), now;
		}
		if (rows.empty()) throw Poco::DataException("push_vapid_key has no row after its insertion");
		pem = rows.front();
	});
	return pem;
}

VapidKey VapidKeyStore::load(const std::string& legacyFile, Poco::Logger& logger)
{
	const bool hasFile = Poco::File(legacyFile).exists();
	const std::string filePem = hasFile ? readPem(legacyFile) : std::string();
	// The file's key is checked before it can become the cluster's.
	const std::string fileKey = hasFile ? VapidKey::fromPem(filePem, legacyFile).publicKey() : std::string();
	bool stored = false;
	const VapidKey key = VapidKey::fromPem(storeIfAbsent(hasFile ? filePem : VapidKey::generatePem(), stored), "the database (push_vapid_key)");
	if (stored && hasFile)
		logger.notice("push: the VAPID key of %s is now kept in the database; the file is no longer read (keep it with the old backups or delete it)", legacyFile);
	else if (stored)
		logger.notice("push: a new VAPID key is stored in the database");
	else if (hasFile && fileKey != key.publicKey())
		logger.warning("push: %s holds another VAPID key than the database's and is ignored (the database's signs; delete the file)", legacyFile);
	return key;
}

} } // namespace Palaver::Push
