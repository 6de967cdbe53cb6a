//
// GroupDirectory.h
//

#ifndef Palaver_Services_GroupDirectory_INCLUDED
#define Palaver_Services_GroupDirectory_INCLUDED

#include "palaver/Service.h"
#include "palaver/services/MessageStore.h"
#include <Poco/JSON/Object.h>
#include <Poco/Types.h>
#include <vector>

namespace Palaver {

/// Who reads which group (API 2.1): offered by the groups plugin, for the
/// ws plugin's ?since= replay, which includes the messages of the user's
/// groups only while a member, and the messages plugin's GET /conversations.
class GroupDirectory: public Service
{
public:
	static constexpr const char* NAME = "groups.directory";

	/// The groups userId is a member of now, each with the last message id
	/// before their joining (they read the messages after it). A database
	/// read: not for an I/O thread. Throws HttpError 503 when storage fails.
	virtual std::vector<MessageStore::GroupWindow> windowsOf(Poco::Int64 userId) = 0;

	/// A group in a member's chat list.
	struct GroupChat
	{
		Poco::Int64 groupId = 0;
		Poco::JSON::Object::Ptr group;  /// PROTOCOL.md's group object
		Poco::Int64 joinedAfter = 0;    /// the member reads the messages above it
		Poco::Int64 readUpTo = 0;       /// the member's read cursor
	};

	/// Every group userId is a member of, for GET /conversations (the
	/// messages plugin adds the last message and the unread count). A
	/// database read. Throws HttpError 503 when storage fails.
	virtual std::vector<GroupChat> chatsOf(Poco::Int64 userId) = 0;

	// Appended (docs/PLUGINS.md, "Versioning").

	/// The members of groupId who read message messageId (they joined before
	/// it), for the push plugin. From memory (a database read for a group
	/// not read lately). Throws HttpError 503 when
	/// storage fails.
	virtual std::vector<Poco::Int64> readersOf(Poco::Int64 groupId, Poco::Int64 messageId) = 0;

	/// The members of a group now (empty for a group that does not exist),
	/// issue 14. The groups plugin publishes "group.members"
	/// {"groupId", "memberIds": [...]} after every change of them (an empty
	/// list: the group was deleted), so that a copy can be kept current. A
	/// database read: not for an I/O thread. Throws HttpError 503 when
	/// storage fails.
	virtual std::vector<Poco::Int64> membersOf(Poco::Int64 groupId) = 0;
};

} // namespace Palaver

#endif
