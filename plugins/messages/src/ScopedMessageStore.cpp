#include "ScopedMessageStore.h"

namespace Palaver {
namespace Messages {

ScopedMessageStore::ScopedMessageStore(std::shared_ptr<MessageStore> store, std::shared_ptr<ServiceCaller> caller):
	_store(std::move(store)),
	_caller(std::move(caller))
{
}

Message ScopedMessageStore::post(const User& from, Poco::Int64 toUserId, const std::string& text, const std::string& attachmentId)
{
	return actingAs(from.id, "post", &MessageStore::post, from, toUserId, text, attachmentId);
}

void ScopedMessageStore::postAsync(const User& from, Poco::Int64 toUserId, const std::string& text, PostCallback done,
	const std::string& attachmentId)
{
	actingAs(from.id, "post", &MessageStore::postAsync, from, toUserId, text, std::move(done), attachmentId);
}

std::vector<Message> ScopedMessageStore::since(Poco::Int64 userId, Poco::Int64 sinceId, std::size_t limit)
{
	return _store->since(userId, sinceId, limit);
}

Poco::Int64 ScopedMessageStore::lastIdBetween(Poco::Int64 a, Poco::Int64 b)
{
	return _store->lastIdBetween(a, b);
}

MessageUpdate ScopedMessageStore::edit(const User& by, Poco::Int64 messageId, const std::string& text)
{
	return actingAs(by.id, "edit", &MessageStore::edit, by, messageId, text);
}

MessageUpdate ScopedMessageStore::deleteForEveryone(const User& by, Poco::Int64 messageId)
{
	return actingAs(by.id, "delete", &MessageStore::deleteForEveryone, by, messageId);
}

Message ScopedMessageStore::postToGroup(const User& from, Poco::Int64 groupId, const std::string& text, const std::string& attachmentId)
{
	return actingAs(from.id, "post", &MessageStore::postToGroup, from, groupId, text, attachmentId);
}

void ScopedMessageStore::postToGroupAsync(const User& from, Poco::Int64 groupId, const std::string& text, PostCallback done,
	const std::string& attachmentId)
{
	actingAs(from.id, "post", &MessageStore::postToGroupAsync, from, groupId, text, std::move(done), attachmentId);
}

std::vector<Message> ScopedMessageStore::groupMessages(Poco::Int64 groupId, Poco::Int64 afterId, Poco::Int64 beforeId, std::size_t limit)
{
	return _store->groupMessages(groupId, afterId, beforeId, limit);
}

std::vector<MessageUpdate> ScopedMessageStore::eventsSince(Poco::Int64 userId, const std::vector<GroupWindow>& groups,
	Poco::Int64 sinceId, std::size_t limit)
{
	return _store->eventsSince(userId, groups, sinceId, limit);
}

Poco::Int64 ScopedMessageStore::lastId()
{
	return _store->lastId();
}

Poco::Int64 ScopedMessageStore::markRead(Poco::Int64 reader, Poco::Int64 other, Poco::Int64 upTo)
{
	return actingAs(reader, "mark messages read", &MessageStore::markRead, reader, other, upTo);
}

std::vector<Message> ScopedMessageStore::groupMessagesAfter(Poco::Int64 groupId, Poco::Int64 afterId, Poco::Int64 beforeId, std::size_t limit)
{
	return _store->groupMessagesAfter(groupId, afterId, beforeId, limit);
}

std::vector<Poco::Int64> ScopedMessageStore::partnersOf(Poco::Int64 userId, std::size_t limit)
{
	return _store->partnersOf(userId, limit);
}

} } // namespace Palaver::Messages
