#include "AttachmentStore.h"
#include "palaver/Database.h"
#include "palaver/HttpError.h"
#include <Poco/Base64Encoder.h>
#include <Poco/Data/Session.h>
#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/Logger.h>
#include <Poco/Path.h>
#include <Poco/RandomStream.h>
#include <Poco/Timestamp.h>
#include <sstream>

using namespace Poco::Data::Keywords;

namespace Palaver {
namespace Attachments {

namespace {

constexpr std::size_t ID_LENGTH = 22;  // 16 random bytes in base64url without padding

Poco::Int64 nowSeconds()
{
	return Poco::Timestamp().epochTime();
}

} // namespace

AttachmentStore::AttachmentStore(Database& database, std::string folder, Poco::Logger& logger):
	_database(database),
	_folder(std::move(folder)),
	_logger(logger)
{
}

void AttachmentStore::migrate()
{
	_database.migrate("attachments", {
		{
			"CREATE TABLE attachments ("
				"id VARCHAR(32) PRIMARY KEY, "
				"owner_id BIGINT NOT NULL, "
				"name VARCHAR(255) NOT NULL, "
				"type VARCHAR(64) NOT NULL, "
				"size BIGINT NOT NULL, "
				"width INTEGER NOT NULL, "
				"height INTEGER NOT NULL, "
				"thumbnail_type VARCHAR(32) NOT NULL, "
				"created_at BIGINT NOT NULL, "
				"message_id BIGINT NOT NULL, "
				"to_user_id BIGINT NOT NULL, "
				"group_id BIGINT NOT NULL)",
			"CREATE INDEX attachments_owner ON attachments (owner_id)",
			"CREATE INDEX attachments_unattached ON attachments (message_id, created_at)"
		}
	});
	Poco::File(Poco::Path(_folder, "tmp").toString()).createDirectories();
}

std::string AttachmentStore::newId()
{
	char random[16];
	Poco::RandomInputStream().read(random, sizeof(random));
	std::ostringstream text;
	Poco::Base64Encoder encoder(text, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
	encoder.write(random, sizeof(random));
	encoder.close();
	return text.str();
}

bool AttachmentStore::isId(const std::string& text)
{
	return text.size() == ID_LENGTH &&
		text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == std::string::npos;
}

std::string AttachmentStore::temporaryPath() const
{
	return Poco::Path(Poco::Path(_folder, "tmp"), newId() + ".part").toString();
}

std::string AttachmentStore::filePath(const std::string& id) const
{
	return Poco::Path(Poco::Path(_folder, id.substr(0, 2)), id).toString();
}

std::string AttachmentStore::thumbnailPath(const std::string& id) const
{
	return filePath(id) + ".thumb";
}

void AttachmentStore::moveInto(const std::string& from, const std::string& path) const
{
	Poco::File(Poco::Path(path).parent()).createDirectories();
	Poco::File(from).renameTo(path);
}

Poco::UInt64 AttachmentStore::usedBy(Poco::Int64 ownerId)
{
	Poco::Data::Session session = _database.session();
	Poco::Int64 owner = ownerId;
	Poco::Int64 used = 0;
	session << _database.sql("SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM attachments WHERE owner_id = ?"), use(owner), into(used), now;
	return static_cast<Poco::UInt64>(used);
}

void AttachmentStore::add(const Attachment& attachment)
{
	_database.transact([&](Poco::Data::Session& session)
	{
		std::string id = attachment.id, name = attachment.name, type = attachment.type, thumbnailType = attachment.thumbnailType;
		Poco::Int64 owner = attachment.ownerId, size = static_cast<Poco::Int64>(attachment.size), created = attachment.createdAt;
		Poco::Int64 message = attachment.messageId;
		int width = attachment.width, height = attachment.height;
		session << _database.sql("INSERT INTO attachments (id, owner_id, name, type, size, width, height, thumbnail_type, "
			"created_at, message_id, to_user_id, group_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0)"),
			use(id), use(owner), use(name), use(type), use(size), use(width), use(height), use(thumbnailType), use(created),
			use(message), now;
	});
}

Poco::Optional<Attachment> AttachmentStore::find(const std::string& id)
{
	if (!isId(id)) return Poco::Optional<Attachment>();
	Poco::Data::Session session = _database.session();
	std::string key = id;
	std::vector<Poco::Int64> owner, size, created, message, toUser, group;
	std::vector<std::string> name, type, thumbnailType;
	std::vector<int> width, height;
	session << _database.sql("SELECT owner_id, name, type, size, width, height, thumbnail_type, created_at, message_id, "
		"to_user_id, group_id FROM attachments WHERE id = ?"), use(key),
		into(owner), into(name), into(type), into(size), into(width), into(height), into(thumbnailType), into(created),
		into(message), into(toUser), into(group), now;
	if (owner.empty()) return Poco::Optional<Attachment>();
	Attachment attachment;
	attachment.id = id;
	attachment.ownerId = owner[0];
	attachment.name = name[0];
	attachment.type = type[0];
	attachment.size = static_cast<Poco::UInt64>(size[0]);
	attachment.width = width[0];
	attachment.height = height[0];
	attachment.thumbnailType = thumbnailType[0];
	attachment.createdAt = created[0];
	attachment.messageId = message[0];
	attachment.toUserId = toUser[0];
	attachment.groupId = group[0];
	return attachment;
}

bool AttachmentStore::reserve(const std::string& id, Poco::Int64 ownerId, Poco::Int64 toUserId, Poco::Int64 groupId)
{
	if (!isId(id)) return false;
	return update("UPDATE attachments SET message_id = -1, to_user_id = ?, group_id = ? WHERE owner_id = ? AND message_id = 0 AND id = ?",
		{toUserId, groupId, ownerId}, id) > 0;
}

void AttachmentStore::release(const std::string& id)
{
	update("UPDATE attachments SET message_id = 0, to_user_id = 0, group_id = 0 WHERE message_id = -1 AND id = ?", {}, id);
}

bool AttachmentStore::attach(const std::string& id, Poco::Int64 ownerId, Poco::Int64 messageId)
{
	return update("UPDATE attachments SET message_id = ? WHERE owner_id = ? AND message_id = -1 AND id = ?",
		{messageId, ownerId}, id) > 0;
}

std::size_t AttachmentStore::update(const std::string& statement, std::vector<Poco::Int64> values, const std::string& id)
{
	std::size_t changed = 0;
	_database.transact([&](Poco::Data::Session& session)
	{
		std::string key = id;
		Poco::Data::Statement update(session);
		update << _database.sql(statement);
		for (Poco::Int64& value: values) update, use(value);
		update, use(key);
		changed = update.execute();
	});
	return changed;
}

std::vector<std::string> AttachmentStore::ofMessage(Poco::Int64 messageId)
{
	Poco::Data::Session session = _database.session();
	Poco::Int64 message = messageId;
	std::vector<std::string> ids;
	session << _database.sql("SELECT id FROM attachments WHERE message_id = ?"), use(message), into(ids), now;
	return ids;
}

void AttachmentStore::remove(const std::string& id)
{
	_database.transact([&](Poco::Data::Session& session)
	{
		std::string key = id;
		session << _database.sql("DELETE FROM attachments WHERE id = ?"), use(key), now;
	});
	removeFiles(id);
}

void AttachmentStore::removeFiles(const std::string& id)
{
	for (const std::string& path: {filePath(id), thumbnailPath(id)})
	{
		try
		{
			Poco::File(path).remove();
		}
		catch (Poco::FileNotFoundException&)
		{
		}
	}
}

std::size_t AttachmentStore::expire(Poco::Int64 maxAgeSeconds)
{
	std::vector<std::string> ids;
	{
		Poco::Data::Session session = _database.session();
		Poco::Int64 before = nowSeconds() - maxAgeSeconds;
		// Reserved (-1) this long and never tied to its message: the post failed.
		session << _database.sql("SELECT id FROM attachments WHERE message_id <= 0 AND created_at < ?"), use(before), into(ids), now;
	}
	for (const std::string& id: ids) remove(id);
	// Partial uploads of a node that crashed (another node's live ones are younger).
	const Poco::Timestamp oldest = Poco::Timestamp() - maxAgeSeconds * Poco::Timestamp::resolution();
	for (Poco::DirectoryIterator it(Poco::Path(_folder, "tmp").toString()), end; it != end; ++it)
	{
		try
		{
			if (it->getLastModified() < oldest) it->remove();
		}
		catch (Poco::FileException& e)
		{
			_logger.warning("attachments: cannot remove %s: %s", it->path(), e.displayText());
		}
	}
	return ids.size();
}

} } // namespace Palaver::Attachments
