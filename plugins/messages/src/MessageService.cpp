#include "MessageService.h"
#include "ScopedMessageStore.h"
#include "palaver/HttpError.h"
#include <Poco/Timestamp.h>
#include <algorithm>

namespace Palaver {
namespace Messages {

MessageService::MessageService(MessageRepository& repository, ReadCursors& cursors, GroupCommitWriter& writer, UserExists userExists,
	TextRules rules, std::size_t knownUsersCapacity, Poco::Int64 editWindow, UpdatePublished updatePublished,
	GroupWindows groupWindows):
	_repository(repository),
	_cursors(cursors),
	_writer(writer),
	_userExists(std::move(userExists)),
	_rules(rules),
	_known(knownUsersCapacity),
	_editWindow(editWindow),
	_updatePublished(std::move(updatePublished)),
	_groupWindows(std::move(groupWindows))
{
}

Message MessageService::post(const User& from, Poco::Int64 toUserId, const std::string& text, const std::string& attachmentId)
{
	return store(prepare(from, toUserId, text, attachmentId), attachmentId);
}

void MessageService::postAsync(const User& from, Poco::Int64 toUserId, const std::string& text, PostCallback done,
	const std::string& attachmentId)
{
	queue(prepare(from, toUserId, text, attachmentId), attachmentId, std::move(done));
}

Message MessageService::prepare(const User& from, Poco::Int64 toUserId, const std::string& text, const std::string& attachmentId)
{
	if (from.id <= 0) throw HttpError::unauthorized();
	Message message;
	message.fromUserId = from.id;
	message.toUserId = toUserId;
	message.fromUserName = from.userName;
	message.text = text;
	if (attachmentId.empty() || !text.empty()) _rules.check(text);
	requireUser(toUserId);
	_known.add(from.id);
	complete(message, attachmentId);
	return message;
}

Message MessageService::postToGroup(const User& from, Poco::Int64 groupId, const std::string& text, const std::string& attachmentId)
{
	return store(prepareForGroup(from, groupId, text, attachmentId), attachmentId);
}

void MessageService::postToGroupAsync(const User& from, Poco::Int64 groupId, const std::string& text, PostCallback done,
	const std::string& attachmentId)
{
	queue(prepareForGroup(from, groupId, text, attachmentId), attachmentId, std::move(done));
}

Message MessageService::prepareForGroup(const User& from, Poco::Int64 groupId, const std::string& text, const std::string& attachmentId)
{
	if (from.id <= 0) throw HttpError::unauthorized();
	if (groupId <= 0) throw HttpError::validation("groupId", "groupId must be a group id");
	Message message;
	message.fromUserId = from.id;
	message.groupId = groupId;
	message.fromUserName = from.userName;
	message.text = text;
	if (attachmentId.empty() || !text.empty()) _rules.check(text);
	complete(message, attachmentId);
	return message;
}

void MessageService::complete(Message& message, const std::string& attachmentId)
{
	if (attachmentId.empty()) return;
	if (!_attachments) throw HttpError::validation("attachmentId", "this server takes no attachments");
	_attachments->attach(message, attachmentId);
}

Message MessageService::store(Message message, const std::string& attachmentId)
{
	try
	{
		return _writer.write(std::move(message));
	}
	catch (...)
	{
		if (_attachments) _attachments->release(attachmentId);
		throw;
	}
}

void MessageService::queue(Message message, const std::string& attachmentId, PostCallback done)
{
	try
	{
		_writer.writeAsync(std::move(message), _attachments ? _attachments->releasingOnFailure(attachmentId, std::move(done)) : std::move(done));
	}
	catch (...)
	{
		if (_attachments) _attachments->release(attachmentId);
		throw;
	}
}

std::vector<Message> MessageService::groupMessages(Poco::Int64 groupId, Poco::Int64 afterId, Poco::Int64 beforeId, std::size_t limit)
{
	return _repository.groupMessages(groupId, afterId, beforeId, limit);
}

Poco::Int64 MessageService::lastId()
{
	return _repository.lastId();
}

Poco::Int64 MessageService::markRead(Poco::Int64 reader, Poco::Int64 other, Poco::Int64 upTo)
{
	const Poco::Int64 clamped = std::min(upTo, lastIdBetween(reader, other));
	if (clamped <= 0 || !_cursors.advance(reader, other, clamped)) return 0;
	return clamped;
}

std::shared_ptr<Service> MessageService::scopedTo(const std::shared_ptr<ServiceCaller>& caller)
{
	return std::make_shared<ScopedMessageStore>(shared_from_this(), caller);
}

std::vector<Message> MessageService::since(Poco::Int64 userId, Poco::Int64 sinceId, std::size_t limit)
{
	return _repository.since(userId, sinceId < 0 ? 0 : sinceId, limit);
}

Poco::Int64 MessageService::lastIdBetween(Poco::Int64 a, Poco::Int64 b)
{
	const std::vector<Message> newest = _repository.conversation(a, b, 0, 1);
	return newest.empty() ? 0 : newest.back().id;
}

MessageUpdate MessageService::edit(const User& by, Poco::Int64 messageId, const std::string& text)
{
	_rules.check(text);
	return changeOwn(by, messageId, [&](Message& message)
	{
		if (message.deleted) throw HttpError::notFound("this message was deleted");
		const Poco::Int64 now = Poco::Timestamp().epochMicroseconds();
		if (now - message.timestamp > _editWindow)
			throw HttpError(403, "edit_window_passed", "this message can no longer be edited");
		message.text = text;
		message.editedAt = now;
		return true;
	});
}

MessageUpdate MessageService::deleteForEveryone(const User& by, Poco::Int64 messageId)
{
	return changeOwn(by, messageId, [](Message& message)
	{
		if (message.deleted) return false;
		// The tombstone: the text leaves the row (and the search index with it).
		message.text.clear();
		message.attachment.clear();
		message.editedAt = 0;
		message.deleted = true;
		return true;
	});
}

MessageUpdate MessageService::changeOwn(const User& by, Poco::Int64 messageId, const std::function<bool(Message&)>& change)
{
	if (by.id <= 0) throw HttpError::unauthorized();
	const MessageUpdate update = _repository.change(messageId, [&](Message& message)
	{
		if (message.fromUserId != by.id)
		{
			// A message of someone else's conversation is not even said to exist.
			if (!sees(by.id, message)) throw HttpError::notFound("no such message");
			throw HttpError::forbidden("only the sender may change a message");
		}
		return change(message);
	});
	if (update.eventId > 0 && _updatePublished) _updatePublished(update);
	return update;
}

bool MessageService::sees(Poco::Int64 userId, const Message& message) const
{
	if (message.groupId == 0) return message.fromUserId == userId || message.toUserId == userId;
	if (!_groupWindows) return false;
	for (const GroupWindow& window: _groupWindows(userId))
	{
		if (window.groupId == message.groupId && message.id > window.afterId) return true;
	}
	return false;
}

std::vector<MessageUpdate> MessageService::eventsSince(Poco::Int64 userId, const std::vector<GroupWindow>& groups, Poco::Int64 sinceId, std::size_t limit)
{
	return _repository.eventsSince(userId, groups, sinceId < 0 ? 0 : sinceId, limit);
}

std::string MessageService::conversationJson(Poco::Int64 a, Poco::Int64 b, Poco::Int64 beforeId, std::size_t limit)
{
	return Message::arrayJsonText(_repository.conversation(a, b, beforeId, limit));
}

std::shared_ptr<MessageArrayStream> MessageService::conversationStream(Poco::Int64 a, Poco::Int64 b, Poco::Int64 beforeId)
{
	MessageRepository& repository = _repository;
	return std::make_shared<MessageArrayStream>([&repository, a, b, beforeId](Poco::Int64 afterId, std::size_t limit)
	{
		return repository.conversationRange(a, b, afterId, beforeId, limit);
	}, HISTORY_PAGE);
}

std::vector<Message> MessageService::groupMessagesAfter(Poco::Int64 groupId, Poco::Int64 afterId, Poco::Int64 beforeId, std::size_t limit)
{
	return _repository.groupRange(groupId, afterId, beforeId, limit);
}

std::vector<Poco::Int64> MessageService::partnersOf(Poco::Int64 userId, std::size_t limit)
{
	std::vector<Poco::Int64> partners;
	for (const auto& chat: _repository.directChats(userId))
	{
		if (partners.size() >= limit) break;
		partners.push_back(chat.first);
	}
	return partners;
}

void MessageService::requireUser(Poco::Int64 id)
{
	if (!userExists(id)) throw HttpError::notFound("no such user");
}

bool MessageService::userExists(Poco::Int64 id)
{
	if (id <= 0) return false;
	if (_known.contains(id)) return true;
	if (!_userExists(id)) return false;
	_known.add(id);
	return true;
}

bool MessageService::knowsUser(Poco::Int64 id) const
{
	return _known.contains(id);
}

void MessageService::userDeleted(Poco::Int64 id, bool forgetName)
{
	_known.remove(id);
	if (forgetName) _repository.forgetSenderName(id);
}

} } // namespace Palaver::Messages
