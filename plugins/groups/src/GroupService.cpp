#include "GroupService.h"
#include "palaver/EventBus.h"
#include "palaver/Events.h"
#include "palaver/HttpError.h"
#include "palaver/JsonWriter.h"
#include "palaver/Utf8.h"
#include <Poco/JSON/Array.h>
#include <Poco/Timestamp.h>
#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

namespace Palaver {
namespace Groups {

namespace {

// Group messages waiting to be pushed; past it a node's live push is dropped
// (members still get them by ?since= replay or GET /messages/group).
const std::size_t FAN_OUT_QUEUE = 100000;

std::string frameText(const Poco::JSON::Object& object, const char* type)
{
	std::string out;
	JsonWriter::appendObject(out, object, "type", type);
	return out;
}

Poco::JSON::Array::Ptr idArray(const std::vector<Poco::Int64>& ids)
{
	Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
	for (Poco::Int64 id: ids) array->add(id);
	return array;
}

} // namespace

GroupService::GroupService(GroupRepository& repository, std::shared_ptr<MessageStore> store,
	std::shared_ptr<UserDirectory> users, EventBus& events, Limits limits):
	_repository(repository),
	_store(std::move(store)),
	_users(std::move(users)),
	_events(events),
	_limits(limits),
	_members([&repository](Poco::Int64 groupId)
	{
		std::vector<MemberCache::Reader> readers;
		const Poco::Optional<Group> group = repository.find(groupId);
		if (!group.isSpecified()) return readers;
		readers.reserve(group.value().members.size());
		for (const Group::Member& member: group.value().members) readers.push_back({member.userId, member.joinedAfter});
		return readers;
	}),
	_fanOut(1, FAN_OUT_QUEUE, "groups-fanout")
{
}

void GroupService::start()
{
	_fanOut.start();
}

void GroupService::stop()
{
	_fanOut.stop();
	const Poco::Timestamp started;
	while (_storing.use_count() > 1 && !started.isElapsed(STORE_WAIT_US))
		std::this_thread::sleep_for(std::chrono::milliseconds(2));
}

Poco::Int64 GroupService::now()
{
	return Poco::Timestamp().epochMicroseconds();
}

void GroupService::checkName(const std::string& name)
{
	const std::size_t length = Utf8::length(name);
	if (length < 1 || length > MAX_NAME)
		throw HttpError::validation("name", "name must be 1 to " + std::to_string(MAX_NAME) + " characters");
}

void GroupService::checkNewMembers(const std::vector<Poco::Int64>& ids, const Group* group, const std::string& field)
{
	std::set<Poco::Int64> seen;
	for (Poco::Int64 id: ids)
	{
		if (!seen.insert(id).second)
			throw HttpError::validation(field, field + " names user " + std::to_string(id) + " twice");
		if (group && group->member(id))
			throw HttpError::validation(field, "user " + std::to_string(id) + " is a member already");
		if (id <= 0 || !_users->findUser(id).isSpecified())
			throw HttpError::validation(field, "no such user: " + std::to_string(id));
	}
}

const Group::Member& GroupService::requireMember(const Poco::Optional<Group>& group, Poco::Int64 caller, bool admin)
{
	const Group::Member* member = group.isSpecified() ? group.value().member(caller) : nullptr;
	if (!member) throw HttpError::notFound("no such group");
	if (admin && !member->admin) throw HttpError::forbidden("only an admin of the group may do that");
	return *member;
}

Group GroupService::create(const User& caller, const std::string& name, const std::vector<Poco::Int64>& memberIds)
{
	checkName(name);
	std::vector<Poco::Int64> others;
	for (Poco::Int64 id: memberIds)
	{
		if (id != caller.id) others.push_back(id);
	}
	if (others.size() + 1 > _limits.maxMembers)
		throw HttpError(409, "limit_reached", "a group has at most " + std::to_string(_limits.maxMembers) + " members", "memberIds");
	checkNewMembers(others, nullptr, "memberIds");

	const Poco::Int64 joinedAfter = _store->lastId();
	const Poco::Int64 at = now();
	Poco::Int64 groupId = 0;
	_repository.transact([&](Poco::Data::Session& session)
	{
		if (static_cast<std::size_t>(_repository.countCreatedBy(session, caller.id)) >= _limits.maxGroupsPerUser)
			throw HttpError(409, "limit_reached", "you may create at most " + std::to_string(_limits.maxGroupsPerUser) + " groups");
		groupId = _repository.insertGroup(session, name, caller.id, at);
		Group::Member member;
		member.joinedAt = at;
		member.joinedAfter = joinedAfter;
		member.userId = caller.id;
		member.admin = true;
		_repository.insertMember(session, groupId, member);
		member.admin = false;
		for (Poco::Int64 id: others)
		{
			member.userId = id;
			_repository.insertMember(session, groupId, member);
		}
	});
	Group group = memberOf(caller.id, groupId);
	membersChanged(groupId, group.memberIds());
	announce("created", caller.id, group);
	return group;
}

std::vector<Group> GroupService::groupsOf(Poco::Int64 userId)
{
	return _repository.groupsOf(userId);
}

Group GroupService::memberOf(Poco::Int64 caller, Poco::Int64 groupId)
{
	Poco::Optional<Group> group = _repository.find(groupId);
	requireMember(group, caller, false);
	return group.value();
}

Group GroupService::rename(Poco::Int64 caller, Poco::Int64 groupId, const std::string& name)
{
	_repository.transact([&](Poco::Data::Session& session)
	{
		requireMember(_repository.load(session, groupId), caller, true);
		checkName(name);
		_repository.rename(session, groupId, name);
	});
	Group group = memberOf(caller, groupId);
	announce("renamed", caller, group);
	return group;
}

Group GroupService::addMembers(Poco::Int64 caller, Poco::Int64 groupId, const std::vector<Poco::Int64>& userIds)
{
	if (userIds.empty()) throw HttpError::validation("userIds", "userIds must name at least one user");
	const Poco::Int64 joinedAfter = _store->lastId();
	const Poco::Int64 at = now();
	_repository.transact([&](Poco::Data::Session& session)
	{
		const Poco::Optional<Group> group = _repository.load(session, groupId);
		requireMember(group, caller, true);
		if (group.value().members.size() + userIds.size() > _limits.maxMembers)
			throw HttpError(409, "limit_reached", "a group has at most " + std::to_string(_limits.maxMembers) + " members", "userIds");
		checkNewMembers(userIds, &group.value(), "userIds");
		Group::Member member;
		member.joinedAt = at;
		member.joinedAfter = joinedAfter;
		for (Poco::Int64 id: userIds)
		{
			member.userId = id;
			_repository.insertMember(session, groupId, member);
		}
	});
	Group group = memberOf(caller, groupId);
	membersChanged(groupId, group.memberIds());
	announce("members_added", caller, group);
	return group;
}

Group GroupService::setRole(Poco::Int64 caller, Poco::Int64 groupId, Poco::Int64 userId, const std::string& role)
{
	if (role != "admin" && role != "member") throw HttpError::validation("role", "role must be \"admin\" or \"member\"");
	const bool admin = role == "admin";
	_repository.transact([&](Poco::Data::Session& session)
	{
		const Poco::Optional<Group> group = _repository.load(session, groupId);
		requireMember(group, caller, true);
		const Group::Member* target = group.value().member(userId);
		if (!target) throw HttpError::notFound("no such member");
		if (target->admin && !admin)
		{
			const auto admins = std::count_if(group.value().members.begin(), group.value().members.end(),
				[](const Group::Member& m) { return m.admin; });
			if (admins == 1) throw HttpError::conflict("a group needs an admin: make another member admin first", "role");
		}
		_repository.setRole(session, groupId, userId, admin);
	});
	Group group = memberOf(caller, groupId);
	announce("role_changed", caller, group);
	return group;
}

void GroupService::removeMember(Poco::Int64 caller, Poco::Int64 groupId, Poco::Int64 userId)
{
	Group after;
	_repository.transact([&](Poco::Data::Session& session)
	{
		const Poco::Optional<Group> group = _repository.load(session, groupId);
		requireMember(group, caller, userId != caller);
		const Group::Member* target = group.value().member(userId);
		if (!target) throw HttpError::notFound("no such member");
		after = group.value();
		after.members.erase(std::remove_if(after.members.begin(), after.members.end(),
			[userId](const Group::Member& m) { return m.userId == userId; }), after.members.end());
		if (after.members.empty())
		{
			_repository.removeGroup(session, groupId);
			return;
		}
		_repository.removeMember(session, groupId, userId);
		const bool adminLeft = std::any_of(after.members.begin(), after.members.end(), [](const Group::Member& m) { return m.admin; });
		if (!adminLeft)
		{
			// Members are kept oldest first (joinedAt, then user id).
			after.members.front().admin = true;
			_repository.setRole(session, groupId, after.members.front().userId, true);
		}
	});
	membersChanged(groupId, after.memberIds());
	// The removed member hears of it too; of a deleted group, only they do.
	announce("member_removed", caller, after, userId);
}

std::vector<Message> GroupService::history(Poco::Int64 caller, Poco::Int64 groupId, Poco::Int64 beforeId, std::size_t limit)
{
	const Group group = memberOf(caller, groupId);
	return _store->groupMessages(groupId, group.member(caller)->joinedAfter, beforeId, limit);
}

std::shared_ptr<MessageArrayStream> GroupService::historyStream(Poco::Int64 caller, Poco::Int64 groupId, Poco::Int64 beforeId)
{
	const Group group = memberOf(caller, groupId);
	const Poco::Int64 joinedAfter = group.member(caller)->joinedAfter;
	const std::shared_ptr<MessageStore> store = _store;
	return std::make_shared<MessageArrayStream>([store, groupId, joinedAfter, beforeId](Poco::Int64 afterId, std::size_t limit)
	{
		return store->groupMessagesAfter(groupId, std::max(afterId, joinedAfter), beforeId, limit);
	}, HISTORY_PAGE);
}

void GroupService::post(const User& caller, Poco::Int64 groupId, const std::string& text, MessageStore::PostCallback done,
	const std::string& attachmentId)
{
	// The members in memory; the database decides (and answers 404) for anyone else.
	if (!MemberCache::contains(*_members.members(groupId), caller.id)) memberOf(caller.id, groupId);
	std::shared_ptr<void> ticket = _storing;
	_store->postToGroupAsync(caller, groupId, text, [done = std::move(done), ticket](const Message* stored, const HttpError* error)
	{
		done(stored, error);
	}, attachmentId);
}

void GroupService::typing(Poco::Int64 caller, Poco::Int64 groupId)
{
	const Group group = memberOf(caller, groupId);
	std::vector<Poco::Int64> others;
	for (Poco::Int64 id: group.memberIds())
	{
		if (id != caller) others.push_back(id);
	}
	if (others.empty()) return;
	deliver(others, "{\"type\":\"typing\",\"fromUserId\":" + std::to_string(caller) + ",\"groupId\":" + std::to_string(groupId) + "}");
}

void GroupService::read(Poco::Int64 caller, Poco::Int64 groupId, Poco::Int64 upTo)
{
	const Group group = memberOf(caller, groupId);
	const Poco::Int64 joinedAfter = group.member(caller)->joinedAfter;
	const std::vector<Message> last = _store->groupMessages(groupId, joinedAfter, 0, 1);
	if (last.empty()) return;
	const Poco::Int64 clamped = std::min(upTo, last.back().id);
	if (clamped <= joinedAfter || !_repository.moveReadCursor(groupId, caller, clamped)) return;
	deliver(group.memberIds(), "{\"type\":\"receipt\",\"readerId\":" + std::to_string(caller) +
		",\"groupId\":" + std::to_string(groupId) + ",\"upToId\":" + std::to_string(clamped) + "}");
}

void GroupService::announce(const char* event, Poco::Int64 actor, const Group& group, Poco::Int64 also)
{
	Poco::JSON::Object frame;
	frame.set("event", event);
	frame.set("actorId", actor);
	frame.set("group", group.toJson());
	std::vector<Poco::Int64> users = group.memberIds();
	if (also > 0) users.push_back(also);
	deliver(users, frameText(frame, "group"));
}

void GroupService::membersChanged(Poco::Int64 groupId, const std::vector<Poco::Int64>& memberIds)
{
	_members.invalidate(groupId);
	Poco::JSON::Object::Ptr payload = new Poco::JSON::Object;
	payload->set("groupId", groupId);
	payload->set("memberIds", idArray(memberIds));
	_events.publish(Events::GROUP_MEMBERS, payload);
}

void GroupService::deliver(const std::vector<Poco::Int64>& userIds, const std::string& frame)
{
	Poco::JSON::Object::Ptr payload = new Poco::JSON::Object;
	payload->set("userIds", idArray(userIds));
	payload->set("frame", frame);
	_events.publish(Events::WS_DELIVER, payload);
}

void GroupService::messageStored(const Message& message)
{
	std::string frame = message.toJsonText();
	// "type" sorts after every key of a message: last, as Poco writes it.
	frame.insert(frame.size() - 1, ",\"type\":\"groupmsg\"");
	const Poco::Int64 groupId = message.groupId;
	const Poco::Int64 id = message.id;
	_fanOut.submit([this, groupId, id, frame] { pushToReaders(groupId, id, frame, id); });
}

void GroupService::messageUpdated(Poco::Int64 eventId, const Message& message)
{
	std::string frame = "{\"eventId\":" + std::to_string(eventId) + ",\"message\":";
	message.appendJson(frame);
	frame += ",\"type\":\"msgupdate\"}";
	const Poco::Int64 groupId = message.groupId;
	const Poco::Int64 id = message.id;
	_fanOut.submit([this, groupId, id, frame, eventId] { pushToReaders(groupId, id, frame, eventId); });
}

void GroupService::pushToReaders(Poco::Int64 groupId, Poco::Int64 messageId, const std::string& frame, Poco::Int64 eventId)
{
	if (!_pusher) return;
	const std::vector<Poco::Int64> readers = readersOf(groupId, messageId);
	if (!readers.empty()) _pusher->pushToUsers(readers, frame, eventId);
}

std::vector<Poco::Int64> GroupService::readersOf(Poco::Int64 groupId, Poco::Int64 messageId)
{
	const MemberCache::Readers members = _members.members(groupId);
	std::vector<Poco::Int64> readers;
	readers.reserve(members->size());
	for (const MemberCache::Reader& member: *members)
	{
		if (member.joinedAfter < messageId) readers.push_back(member.userId);
	}
	return readers;
}

std::vector<MessageStore::GroupWindow> GroupService::windowsOf(Poco::Int64 userId)
{
	return _repository.windowsOf(userId);
}

std::vector<Poco::Int64> GroupService::membersOf(Poco::Int64 groupId)
{
	const Poco::Optional<Group> group = _repository.find(groupId);
	return group.isSpecified() ? group.value().memberIds() : std::vector<Poco::Int64>();
}

std::vector<GroupDirectory::GroupChat> GroupService::chatsOf(Poco::Int64 userId)
{
	std::vector<GroupChat> chats;
	for (const Group& group: _repository.groupsOf(userId))
	{
		const Group::Member* member = group.member(userId);
		if (!member) continue;
		GroupChat chat;
		chat.groupId = group.id;
		chat.group = group.toJson();
		chat.joinedAfter = member->joinedAfter;
		chat.readUpTo = member->readUpTo;
		chats.push_back(chat);
	}
	return chats;
}

} } // namespace Palaver::Groups
