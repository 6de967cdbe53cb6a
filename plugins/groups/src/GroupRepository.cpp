#include "GroupRepository.h"
#include "palaver/Database.h"
#include "palaver/HttpError.h"
#include <Poco/Data/Statement.h>
#include <Poco/Logger.h>

using namespace Poco::Data::Keywords;

namespace Palaver {
namespace Groups {

namespace {

const std::string ADMIN = "admin";
const std::string MEMBER = "member";

} // namespace

GroupRepository::GroupRepository(Database& database, Poco::Logger& logger):
	_database(database),
	_logger(logger)
{
}

std::vector<std::vector<std::string>> GroupRepository::schema(const Database& database)
{
	return {
		{
			"CREATE TABLE chat_groups ("
				"id " + database.serialPrimaryKey() + ", "
				"name TEXT NOT NULL, "
				"created_by BIGINT NOT NULL, "
				"created_at BIGINT NOT NULL)",
			"CREATE INDEX chat_groups_creator ON chat_groups (created_by)",
			"CREATE TABLE group_members ("
				"group_id BIGINT NOT NULL, "
				"user_id BIGINT NOT NULL, "
				"role VARCHAR(16) NOT NULL, "
				"joined_at BIGINT NOT NULL, "
				"joined_after BIGINT NOT NULL, "
				"read_up_to BIGINT NOT NULL, "
				"PRIMARY KEY (group_id, user_id))",
			"CREATE INDEX group_members_user ON group_members (user_id, group_id)"
		}
	};
}

void GroupRepository::migrate()
{
	_database.migrate("groups", schema(_database));
}

void GroupRepository::reading(const char* what, const std::function<void(Poco::Data::Session&)>& read)
{
	try
	{
		Poco::Data::Session session = _database.session();
		read(session);
	}
	catch (HttpError&)
	{
		throw;
	}
	catch (Poco::Exception& e)
	{
		_logger.error("groups: reading %s failed: %s", std::string(what), e.displayText());
		throw HttpError::unavailable();
	}
}

void GroupRepository::transact(const std::function<void(Poco::Data::Session&)>& work)
{
	_database.transact(work);
}

Poco::Optional<Group> GroupRepository::find(Poco::Int64 groupId)
{
	Poco::Optional<Group> group;
	reading("a group", [&](Poco::Data::Session& session) { group = load(session, groupId); });
	return group;
}

Poco::Optional<Group> GroupRepository::load(Poco::Data::Session& session, Poco::Int64 groupId)
{
	Poco::Int64 id = groupId;
	std::vector<std::string> names;
	std::vector<Poco::Int64> creators, created;
	session << _database.sql("SELECT name, created_by, created_at FROM chat_groups WHERE id = ?"),
		use(id), into(names), into(creators), into(created), now;
	if (names.empty()) return Poco::Optional<Group>();
	Group group;
	group.id = groupId;
	group.name = names.front();
	group.createdBy = creators.front();
	group.createdAt = created.front();

	std::vector<Poco::Int64> users, joinedAt, joinedAfter, readUpTo;
	std::vector<std::string> roles;
	session << _database.sql("SELECT user_id, role, joined_at, joined_after, read_up_to FROM group_members "
		"WHERE group_id = ? ORDER BY joined_at, user_id"),
		use(id), into(users), into(roles), into(joinedAt), into(joinedAfter), into(readUpTo), now;
	group.members.resize(users.size());
	for (std::size_t i = 0; i < users.size(); ++i)
	{
		Group::Member& member = group.members[i];
		member.userId = users[i];
		member.admin = roles[i] == ADMIN;
		member.joinedAt = joinedAt[i];
		member.joinedAfter = joinedAfter[i];
		member.readUpTo = readUpTo[i];
	}
	return group;
}

std::vector<Group> GroupRepository::groupsOf(Poco::Int64 userId)
{
	std::vector<Group> groups;
	reading("a user's groups", [&](Poco::Data::Session& session)
	{
		Poco::Int64 user = userId;
		std::vector<Poco::Int64> ids;
		session << _database.sql("SELECT group_id FROM group_members WHERE user_id = ? ORDER BY group_id DESC"),
			use(user), into(ids), now;
		groups.reserve(ids.size());
		for (Poco::Int64 id: ids)
		{
			Poco::Optional<Group> group = load(session, id);
			if (group.isSpecified()) groups.push_back(std::move(group.value()));
		}
	});
	return groups;
}

std::vector<MessageStore::GroupWindow> GroupRepository::windowsOf(Poco::Int64 userId)
{
	std::vector<Poco::Int64> ids, after;
	reading("a user's groups", [&](Poco::Data::Session& session)
	{
		Poco::Int64 user = userId;
		session << _database.sql("SELECT group_id, joined_after FROM group_members WHERE user_id = ?"),
			use(user), into(ids), into(after), now;
	});
	std::vector<MessageStore::GroupWindow> windows(ids.size());
	for (std::size_t i = 0; i < ids.size(); ++i)
	{
		windows[i].groupId = ids[i];
		windows[i].afterId = after[i];
	}
	return windows;
}

bool GroupRepository::moveReadCursor(Poco::Int64 groupId, Poco::Int64 userId, Poco::Int64 upTo)
{
	std::size_t moved = 0;
	transact([&](Poco::Data::Session& session)
	{
		Poco::Int64 group = groupId;
		Poco::Int64 user = userId;
		Poco::Int64 to = upTo;
		Poco::Data::Statement statement(session);
		statement << _database.sql("UPDATE group_members SET read_up_to = ? WHERE group_id = ? AND user_id = ? AND read_up_to < ?"),
			use(to), use(group), use(user), use(to);
		moved = statement.execute();
	});
	return moved > 0;
}

Poco::Int64 GroupRepository::countCreatedBy(Poco::Data::Session& session, Poco::Int64 userId)
{
	Poco::Int64 user = userId;
	Poco::Int64 count = 0;
	session << _database.sql("SELECT COUNT(*) FROM chat_groups WHERE created_by = ?"), use(user), into(count), now;
	return count;
}

Poco::Int64 GroupRepository::insertGroup(Poco::Data::Session& session, const std::string& name, Poco::Int64 createdBy, Poco::Int64 createdAt)
{
	std::string groupName = name;
	Poco::Int64 creator = createdBy;
	Poco::Int64 at = createdAt;
	Poco::Int64 id = 0;
	session << _database.sql("INSERT INTO chat_groups (name, created_by, created_at) VALUES (?, ?, ?) RETURNING id"),
		use(groupName), use(creator), use(at), into(id), now;
	return id;
}

void GroupRepository::insertMember(Poco::Data::Session& session, Poco::Int64 groupId, const Group::Member& member)
{
	Poco::Int64 group = groupId;
	Poco::Int64 user = member.userId;
	std::string role = member.admin ? ADMIN : MEMBER;
	Poco::Int64 joinedAt = member.joinedAt;
	Poco::Int64 joinedAfter = member.joinedAfter;
	// Everything before the joining counts as read.
	Poco::Int64 readUpTo = member.joinedAfter;
	session << _database.sql("INSERT INTO group_members (group_id, user_id, role, joined_at, joined_after, read_up_to) VALUES (?, ?, ?, ?, ?, ?)"),
		use(group), use(user), use(role), use(joinedAt), use(joinedAfter), use(readUpTo), now;
}

void GroupRepository::rename(Poco::Data::Session& session, Poco::Int64 groupId, const std::string& name)
{
	Poco::Int64 group = groupId;
	std::string groupName = name;
	session << _database.sql("UPDATE chat_groups SET name = ? WHERE id = ?"), use(groupName), use(group), now;
}

void GroupRepository::setRole(Poco::Data::Session& session, Poco::Int64 groupId, Poco::Int64 userId, bool admin)
{
	Poco::Int64 group = groupId;
	Poco::Int64 user = userId;
	std::string role = admin ? ADMIN : MEMBER;
	session << _database.sql("UPDATE group_members SET role = ? WHERE group_id = ? AND user_id = ?"), use(role), use(group), use(user), now;
}

void GroupRepository::removeMember(Poco::Data::Session& session, Poco::Int64 groupId, Poco::Int64 userId)
{
	Poco::Int64 group = groupId;
	Poco::Int64 user = userId;
	session << _database.sql("DELETE FROM group_members WHERE group_id = ? AND user_id = ?"), use(group), use(user), now;
}

void GroupRepository::removeGroup(Poco::Data::Session& session, Poco::Int64 groupId)
{
	Poco::Int64 group = groupId;
	session << _database.sql("DELETE FROM group_members WHERE group_id = ?"), use(group), now;
	session << _database.sql("DELETE FROM chat_groups WHERE id = ?"), use(group), now;
}

} } // namespace Palaver::Groups
