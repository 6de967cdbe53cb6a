//
// GroupRepository.h
//

#ifndef Palaver_Groups_GroupRepository_INCLUDED
#define Palaver_Groups_GroupRepository_INCLUDED

#include "Group.h"
#include "palaver/services/MessageStore.h"
#include <Poco/Data/Session.h>
#include <Poco/Optional.h>
#include <functional>
#include <string>
#include <vector>

namespace Poco { class Logger; }

namespace Palaver {

class Database;

namespace Groups {

/// The plugin's two tables and every statement on them: chat_groups (one row
/// per group) and group_members (one row per member, with the member's role,
/// joining and read cursor; the index (user_id, group_id) lists a user's groups).
///
/// Reads take a session of their own; changes run inside transact() on the
/// session it gives, so that a check and the change it allows commit together.
/// Storage failures become HttpError 503.
class GroupRepository
{
public:
	GroupRepository(Database& database, Poco::Logger& logger);

	/// The migration steps of the "groups" component.
	static std::vector<std::vector<std::string>> schema(const Database& database);

	void migrate();

	Poco::Optional<Group> find(Poco::Int64 groupId);

	/// The groups userId is a member of, newest first.
	std::vector<Group> groupsOf(Poco::Int64 userId);

	/// The groups userId is a member of, with their joining.
	std::vector<MessageStore::GroupWindow> windowsOf(Poco::Int64 userId);

	/// Moves userId's read cursor in the group forward to upTo; false when it
	/// was there already (or further, or the user is no member).
	bool moveReadCursor(Poco::Int64 groupId, Poco::Int64 userId, Poco::Int64 upTo);

	/// Runs work in one write transaction; an exception it throws rolls
	/// everything back and is rethrown (storage failures as HttpError 503).
	void transact(const std::function<void(Poco::Data::Session&)>& work);

	// Inside transact():
	Poco::Optional<Group> load(Poco::Data::Session& session, Poco::Int64 groupId);
	Poco::Int64 countCreatedBy(Poco::Data::Session& session, Poco::Int64 userId);
	Poco::Int64 insertGroup(Poco::Data::Session& session, const std::string& name, Poco::Int64 createdBy, Poco::Int64 createdAt);
	void insertMember(Poco::Data::Session& session, Poco::Int64 groupId, const Group::Member& member);
	void rename(Poco::Data::Session& session, Poco::Int64 groupId, const std::string& name);
	void setRole(Poco::Data::Session& session, Poco::Int64 groupId, Poco::Int64 userId, bool admin);
	void removeMember(Poco::Data::Session& session, Poco::Int64 groupId, Poco::Int64 userId);
	void removeGroup(Poco::Data::Session& session, Poco::Int64 groupId);

private:
	/// Runs read on a session of its own, storage failures as HttpError 503.
	void reading(const char* what, const std::function<void(Poco::Data::Session&)>& read);

	Database& _database;
	Poco::Logger& _logger;
};

} } // namespace Palaver::Groups

#endif
