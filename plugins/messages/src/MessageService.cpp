#include "MessageService.h"
#include "palaver/HttpError.h"
#include <algorithm>

namespace Palaver {
namespace Messages {

MessageService::MessageService(MessageRepository& repository, ReadCursors& cursors, GroupCommitWriter& writer, UserExists userExists,
	TextRules rules, std::size_t knownUsersCapacity):
	_repository(repository),
	_cursors(cursors),
	_writer(writer),
	_userExists(std::move(userExists)),
	_rules(rules),
	_known(knownUsersCapacity)
{
}

Message MessageService::post(const User& from, Poco::Int64 toUserId, const std::string& text)
{
	return _writer.write(prepare(from, toUserId, text));
}

void MessageService::postAsync(const User& from, Poco::Int64 toUserId, const std::string& text, PostCallback done)
{
	_writer.writeAsync(prepare(from, toUserId, text), std::move(done));
}

Message MessageService::prepare(const User& from, Poco::Int64 toUserId, const std::string& text)
{
	if (from.id <= 0) throw HttpError::unauthorized();
	_rules.check(text);
	requireUser(toUserId);
	_known.add(from.id);

	Message message;
	message.fromUserId = from.id;
	message.toUserId = toUserId;
	message.fromUserName = from.userName;
	message.text = text;
	return message;
}

Message MessageService::postToGroup(const User& from, Poco::Int64 groupId, const std::string& text)
{
	return _writer.write(prepareForGroup(from, groupId, text));
}

void MessageService::postToGroupAsync(const User& from, Poco::Int64 groupId, const std::string& text, PostCallback done)
{
	_writer.writeAsync(prepareForGroup(from, groupId, text), std::move(done));
}

Message MessageService::prepareForGroup(const User& from, Poco::Int64 groupId, const std::string& text)
{
	if (from.id <= 0) throw HttpError::unauthorized();
	if (groupId <= 0) throw HttpError::validation("groupId", "groupId must be a group id");
	_rules.check(text);

	Message message;
	message.fromUserId = from.id;
	message.groupId = groupId;
	message.fromUserName = from.userName;
	message.text = text;
	return message;
}

std::vector<Message> MessageService::groupMessages(Poco::Int64 groupId, Poco::Int64 afterId, Poco::Int64 beforeId, std::size_t limit)
{
	return _repository.groupMessages(groupId, afterId, beforeId, limit);
}

std::vector<Message> MessageService::since(Poco::Int64 userId, const std::vector<GroupWindow>& groups, Poco::Int64 sinceId, std::size_t limit)
{
	std::vector<Message> direct = since(userId, sinceId, limit);
	if (groups.empty()) return direct;
	std::vector<Message> inGroups = _repository.sinceInGroups(groups, sinceId < 0 ? 0 : sinceId, limit);
	std::vector<Message> merged;
	merged.reserve(std::min(limit, direct.size() + inGroups.size()));
	auto d = direct.begin();
	auto g = inGroups.begin();
	while (merged.size() < limit && (d != direct.end() || g != inGroups.end()))
	{
		const bool takeDirect = g == inGroups.end() || (d != direct.end() && d->id < g->id);
		merged.push_back(std::move(takeDirect ? *d++ : *g++));
	}
	return merged;
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

std::vector<Message> MessageService::since(Poco::Int64 userId, Poco::Int64 sinceId, std::size_t limit)
{
	return _repository.since(userId, sinceId < 0 ? 0 : sinceId, limit);
}

Poco::Int64 MessageService::lastIdBetween(Poco::Int64 a, Poco::Int64 b)
{
	const std::vector<Message> newest = _repository.conversation(a, b, 0, 1);
	return newest.empty() ? 0 : newest.back().id;
}

std::string MessageService::conversationJson(Poco::Int64 a, Poco::Int64 b, Poco::Int64 beforeId, std::size_t limit)
{
	if (limit > 0) return Message::arrayJsonText(_repository.conversation(a, b, beforeId, limit));
	std::string out = "[";
	Poco::Int64 after = 0;
	for (;;)
	{
		const std::vector<Message> page = _repository.conversationRange(a, b, after, beforeId, HISTORY_PAGE);
		for (const Message& message: page)
		{
			if (out.size() > 1) out += ',';
			message.appendJson(out);
		}
		if (page.size() < HISTORY_PAGE) break;
		after = page.back().id;
	}
	out += ']';
	return out;
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

void MessageService::userDeleted(Poco::Int64 id, bool forgetName)
{
	_known.remove(id);
	if (forgetName) _repository.forgetSenderName(id);
}

} } // namespace Palaver::Messages
