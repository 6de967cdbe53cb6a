//
// GroupService.h
//

#ifndef Palaver_Groups_GroupService_INCLUDED
#define Palaver_Groups_GroupService_INCLUDED

#include "Group.h"
#include "GroupRepository.h"
#include "MemberCache.h"
#include "palaver/Message.h"
#include "palaver/MessageArrayStream.h"
#include "palaver/User.h"
#include "palaver/WorkerPool.h"
#include "palaver/services/GroupDirectory.h"
#include "palaver/services/MessageStore.h"
#include "palaver/services/Pusher.h"
#include "palaver/services/UserDirectory.h"
#include <memory>
#include <string>
#include <vector>

namespace Palaver {

class EventBus;

namespace Groups {

/// What a group allows (PROTOCOL.md, "Groups"), for the HTTP routes and the
/// WebSocket frames alike, and who hears of it. Offered as GroupDirectory.
///
/// A member reads the messages stored after their joining: each membership
/// keeps the last message id before it (MessageStore::lastId()). Checks and
/// the change they allow commit in one transaction: a refused change changes
/// nothing. Frames to members go out as "ws.deliver" events (every node);
/// group messages, which reach every node as "message.stored", are pushed by
/// each node's plugin to its own connections (Pusher::pushToUsers).
///
/// Every method throws HttpError: 404 for a group the caller is not in, 403
/// for an admin's action by a member, 400 naming the field for bad input,
/// 409 limit_reached past a limit, 503 when storage fails.
class GroupService: public GroupDirectory
{
public:
	struct Limits
	{
		std::size_t maxMembers = 1024;      /// [groups] max_members
		std::size_t maxGroupsPerUser = 500; /// [groups] max_groups_per_user
	};

	GroupService(GroupRepository& repository, std::shared_ptr<MessageStore> store,
		std::shared_ptr<UserDirectory> users, EventBus& events, Limits limits);

	/// Starts and stops the thread that pushes group messages (in id order);
	/// stop() also waits (at most 10 seconds) until the message store has
	/// called and dropped the callbacks of post() (this plugin's code).
	void start();
	void stop();

	void setPusher(std::shared_ptr<Pusher> pusher) { _pusher = std::move(pusher); }

	Group create(const User& caller, const std::string& name, const std::vector<Poco::Int64>& memberIds);
	std::vector<Group> groupsOf(Poco::Int64 userId);

	/// The group, when caller is a member (404 otherwise).
	Group memberOf(Poco::Int64 caller, Poco::Int64 groupId);

	Group rename(Poco::Int64 caller, Poco::Int64 groupId, const std::string& name);
	Group addMembers(Poco::Int64 caller, Poco::Int64 groupId, const std::vector<Poco::Int64>& userIds);
	Group setRole(Poco::Int64 caller, Poco::Int64 groupId, Poco::Int64 userId, const std::string& role);

	/// An admin removes userId, or a member leaves (userId == caller).
	void removeMember(Poco::Int64 caller, Poco::Int64 groupId, Poco::Int64 userId);

	/// The group's messages that caller may read, as GET /messages/group.
	/// The limit newest of them (limit > 0).
	std::vector<Message> history(Poco::Int64 caller, Poco::Int64 groupId, Poco::Int64 beforeId, std::size_t limit);

	/// Messages read per query when a whole group history is asked for.
	static constexpr std::size_t HISTORY_PAGE = 500;

	/// All of them (no limit), read HISTORY_PAGE at a time as the answer is
	/// written; 404 now unless caller is a member.
	std::shared_ptr<MessageArrayStream> historyStream(Poco::Int64 caller, Poco::Int64 groupId, Poco::Int64 beforeId);

	/// Checks that caller may post to the group and queues the message
	/// (MessageStore::postToGroupAsync).
	void post(const User& caller, Poco::Int64 groupId, const std::string& text, MessageStore::PostCallback done,
		const std::string& attachmentId = std::string());

	/// caller types in the group: "typing" to the other members.
	void typing(Poco::Int64 caller, Poco::Int64 groupId);

	/// caller has read the group up to upTo (clamped to its last message):
	/// stores the cursor and, when it moved, sends "receipt" to the members
	/// (the reader's other connections included).
	void read(Poco::Int64 caller, Poco::Int64 groupId, Poco::Int64 upTo);

	/// "message.stored" of a group message (from this node or another):
	/// "groupmsg" to this node's connections of the members who had joined
	/// before it. Any thread; the work is done on the plugin's own thread.
	void messageStored(const Message& message);

	/// "message.updated" of a group message: "msgupdate" to this node's
	/// connections of the members who can see it.
	void messageUpdated(Poco::Int64 eventId, const Message& message);

	/// "group.members" (from any node): the group's members are read again
	/// at their next use.
	void membersChangedElsewhere(Poco::Int64 groupId) { _members.invalidate(groupId); }

	// GroupDirectory
	std::vector<MessageStore::GroupWindow> windowsOf(Poco::Int64 userId) override;
	std::vector<GroupChat> chatsOf(Poco::Int64 userId) override;
	std::vector<Poco::Int64> readersOf(Poco::Int64 groupId, Poco::Int64 messageId) override;
	std::vector<Poco::Int64> membersOf(Poco::Int64 groupId) override;

	static constexpr std::size_t MAX_NAME = 100;

private:
	static constexpr Poco::Int64 STORE_WAIT_US = 10000000;

	/// "group" frame {"event", "actorId", "group"} to the members and to also.
	void announce(const char* event, Poco::Int64 actor, const Group& group, Poco::Int64 also = 0);

	/// "group.members" {"groupId", "memberIds"} after a change of the
	/// members (GroupDirectory::membersOf); memberIds empty: deleted.
	void membersChanged(Poco::Int64 groupId, const std::vector<Poco::Int64>& memberIds);

	/// A frame to the users' connections on every node ("ws.deliver").
	void deliver(const std::vector<Poco::Int64>& userIds, const std::string& frame);

	/// frame to this node's connections of the members who see message
	/// messageId (joined before it), on the fan-out thread; eventId: the
	/// frame's place in the sequence of events (Pusher::pushToUsers).
	void pushToReaders(Poco::Int64 groupId, Poco::Int64 messageId, const std::string& frame, Poco::Int64 eventId);

	/// The group as loaded in a transaction, 404 unless caller is a member,
	/// 403 unless an admin when admin is asked.
	static const Group::Member& requireMember(const Poco::Optional<Group>& group, Poco::Int64 caller, bool admin);

	/// Checks ids (unknown users, duplicates, members already) for field.
	void checkNewMembers(const std::vector<Poco::Int64>& ids, const Group* group, const std::string& field);

	static void checkName(const std::string& name);
	static Poco::Int64 now();

	GroupRepository& _repository;
	std::shared_ptr<MessageStore> _store;
	std::shared_ptr<UserDirectory> _users;
	std::shared_ptr<Pusher> _pusher;
	EventBus& _events;
	Limits _limits;
	MemberCache _members;  /// for posting and pushing group messages
	WorkerPool _fanOut;
	const std::shared_ptr<void> _storing = std::make_shared<int>(0);  /// a copy in every post() callback
};

} } // namespace Palaver::Groups

#endif
