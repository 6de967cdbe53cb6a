#include "ConversationRoutes.h"
#include "MessageRepository.h"
#include "MessageRoutes.h"
#include "MessageService.h"
#include "ReadCursors.h"
#include "palaver/EventBus.h"
#include "palaver/Events.h"
#include "palaver/HttpError.h"
#include "palaver/Request.h"
#include "palaver/Response.h"
#include "palaver/Router.h"
#include "palaver/ServiceRegistry.h"
#include "palaver/services/GroupDirectory.h"
#include <Poco/JSON/Array.h>
#include <algorithm>
#include <limits>
#include <map>

namespace Palaver {
namespace Messages {

namespace {

struct Entry
{
	Poco::Int64 activity = 0;
	Poco::JSON::Object::Ptr json;
};

Poco::Dynamic::Var lastMessageJson(const std::vector<Message>& last)
{
	return last.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(last.back().toJson());
}

} // namespace

ConversationRoutes::ConversationRoutes(MessageService& service, MessageRepository& repository, ReadCursors& cursors,
	std::shared_ptr<UserDirectory> users, const ServiceRegistry& services, EventBus& events):
	_service(service),
	_repository(repository),
	_cursors(cursors),
	_users(std::move(users)),
	_services(services),
	_events(events)
{
}

void ConversationRoutes::registerWith(Router& router)
{
	router.add("GET", "/conversations", [this](Request& request, Response& response) { conversations(request, response); });
	router.add("POST", "/read/user/{userId}", [this](Request& request, Response& response) { read(request, response); });
}

std::string ConversationRoutes::receiptJson(Poco::Int64 reader, Poco::Int64 other, Poco::Int64 upTo)
{
	return "{\"type\":\"receipt\",\"readerId\":" + std::to_string(reader) + ",\"fromUserId\":" + std::to_string(other) +
		",\"upToId\":" + std::to_string(upTo) + "}";
}

void ConversationRoutes::conversations(Request& request, Response& response)
{
	const User caller = _users->authenticate(request);
	Poco::Int64 limit = MessageRoutes::positiveQuery(request, "limit", MAX_PAGE);
	if (limit == 0) limit = DEFAULT_PAGE;
	Poco::Int64 before = MessageRoutes::positiveQuery(request, "before", std::numeric_limits<Poco::Int64>::max());
	if (before == 0) before = std::numeric_limits<Poco::Int64>::max();

	std::vector<Entry> entries;
	const std::map<Poco::Int64, Poco::Int64> cursors = _cursors.of(caller.id);
	for (const auto& chat: _repository.directChats(caller.id))
	{
		const Poco::Int64 other = chat.first;
		if (chat.second >= before) continue;
		auto cursor = cursors.find(other);
		const Poco::Int64 readUpTo = cursor == cursors.end() ? 0 : cursor->second;
		Entry entry;
		entry.activity = chat.second;
		entry.json = new Poco::JSON::Object;
		entry.json->set("kind", "direct");
		entry.json->set("userId", other);
		entry.json->set("readUpTo", readUpTo);
		entries.push_back(entry);
	}
	if (auto groups = _services.find<GroupDirectory>())
	{
		for (const GroupDirectory::GroupChat& chat: groups->chatsOf(caller.id))
		{
			const std::vector<Message> last = _service.groupMessages(chat.groupId, chat.joinedAfter, 0, 1);
			Entry entry;
			entry.activity = last.empty() ? chat.joinedAfter : last.back().id;
			if (entry.activity >= before) continue;
			entry.json = new Poco::JSON::Object;
			entry.json->set("kind", "group");
			entry.json->set("groupId", chat.groupId);
			entry.json->set("group", chat.group);
			entry.json->set("lastMessage", lastMessageJson(last));
			const Poco::Int64 readFrom = std::max(chat.readUpTo, chat.joinedAfter);
			entry.json->set("unread", last.empty() ? 0 : _repository.countInGroupNotFrom(chat.groupId, caller.id, readFrom));
			entry.json->set("readUpTo", chat.readUpTo);
			entries.push_back(entry);
		}
	}
	std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.activity > b.activity; });
	if (entries.size() > static_cast<std::size_t>(limit)) entries.resize(static_cast<std::size_t>(limit));

	// Only the page's direct chats need their user, last message and count:
	// read together, one statement each.
	std::vector<Poco::Int64> lastIds;
	std::map<Poco::Int64, Poco::Int64> readUpTo;
	for (const Entry& entry: entries)
	{
		if (entry.json->getValue<std::string>("kind") != "direct") continue;
		lastIds.push_back(entry.activity);
		const Poco::Int64 other = entry.json->getValue<Poco::Int64>("userId");
		if (other != caller.id) readUpTo[other] = entry.json->getValue<Poco::Int64>("readUpTo");
	}
	std::map<Poco::Int64, Message> lastMessages;
	for (Message& message: _repository.byIds(lastIds)) lastMessages.emplace(message.id, std::move(message));
	const std::map<Poco::Int64, Poco::Int64> unread = _repository.unreadFrom(caller.id, readUpTo);
	Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
	for (Entry& entry: entries)
	{
		if (entry.json->getValue<std::string>("kind") == "direct")
		{
			const Poco::Int64 other = entry.json->getValue<Poco::Int64>("userId");
			const Poco::Optional<User> user = _users->findUser(other);
			entry.json->set("user", user.isSpecified() ? Poco::Dynamic::Var(user.value().toJson()) : Poco::Dynamic::Var());
			auto last = lastMessages.find(entry.activity);
			entry.json->set("lastMessage", last == lastMessages.end() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(last->second.toJson()));
			auto count = unread.find(other);
			entry.json->set("unread", count == unread.end() ? 0 : count->second);
		}
		list->add(entry.json);
	}
	response.http().set("Cache-Control", "no-store");
	response.sendJson(200, list);
}

void ConversationRoutes::read(Request& request, Response& response)
{
	const User caller = _users->authenticate(request);
	const Poco::Int64 other = request.idParam("userId");
	// Absent: -1, refused as any other id below 0.
	const Poco::Int64 upTo = request.form().getInteger("upToId", -1);
	if (upTo < 0) throw HttpError::validation("upToId", "upToId must be a message id");
	if (!_service.userExists(other) && _service.lastIdBetween(caller.id, other) == 0) throw HttpError::notFound("no such user");
	const Poco::Int64 moved = _service.markRead(caller.id, other, upTo);
	if (moved > 0)
	{
		// To the other side and every connection of the reader, on every node.
		Poco::JSON::Object::Ptr payload = new Poco::JSON::Object;
		Poco::JSON::Array::Ptr users = new Poco::JSON::Array;
		users->add(other);
		if (other != caller.id) users->add(caller.id);
		payload->set("userIds", users);
		payload->set("frame", receiptJson(caller.id, other, moved));
		_events.publish(Events::WS_DELIVER, payload);
	}
	response.sendNoContent();
}

} } // namespace Palaver::Messages
