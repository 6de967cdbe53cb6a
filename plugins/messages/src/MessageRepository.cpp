#include "MessageRepository.h"
#include "palaver/Database.h"
#include "palaver/HttpError.h"
#include <Poco/Data/DataException.h>
#include <Poco/Data/Session.h>
#include <Poco/Logger.h>
#include <Poco/Data/Statement.h>
#include <algorithm>
#include <limits>

using namespace Poco::Data::Keywords;

namespace Palaver {
namespace Messages {

namespace {

const std::string COLUMNS = "id, from_user_id, to_user_id, group_id, from_user_name, text, created_at, edited_at, deleted, event_id, attachment";
// COLUMNS with the id in event_id's place: a new message's event is itself.
const std::string KEYED_BY_ID = "id, from_user_id, to_user_id, group_id, from_user_name, text, created_at, edited_at, deleted, id AS event_id, attachment";

// Group windows per statement of groupEventsSince(): four placeholders each.
const std::size_t WINDOWS_PER_QUERY = 200;

Poco::Int64 boundedLimit(std::size_t limit)
{
	return static_cast<Poco::Int64>(std::min<std::size_t>(limit, std::numeric_limits<std::int32_t>::max()));
}

// The migration step after release 0.5.0: chat_partners replaces the
// index messages_partners, messages_chat (with the sender) replaces
// messages_conversation.
std::vector<std::string> upgradeForWriter(const Database& database)
{
	// Issue 14: an index keyed by the conversation takes, per message, an
	// entry at a random place (one more page in the WAL per message with
	// thousands of chats). The chat list's partners come from chat_partners
	// now (its size grows with the chats, not with the messages). Two such
	// indexes stay: messages_chat (history, each chat's last id) and
	// messages_unread, since counting the unread from messages_chat reads
	// both sides' messages and took the chat list of 500 chats over issue
	// 16's 20 ms p99 (docs/PERFORMANCE.md).
	std::vector<std::string> statements = ChatPartners::createStatements(database);
	statements.insert(statements.end(), {
		"DROP INDEX messages_partners",
		"CREATE INDEX messages_chat ON messages (user_lo, user_hi, id, from_user_id)",
		"DROP INDEX messages_conversation"
	});
	return statements;
}

} // namespace

// The columns of COLUMNS, one vector each: Poco fills all rows in one go.
struct MessageRepository::Rows
{
	std::vector<Poco::Int64> ids;
	std::vector<Poco::Int64> from;
	std::vector<Poco::Int64> to;
	std::vector<Poco::Int64> groups;
	std::vector<std::string> names;
	std::vector<std::string> texts;
	std::vector<Poco::Int64> times;
	std::vector<Poco::Int64> edited;
	std::vector<Poco::Int32> deleted;
	std::vector<Poco::Int64> events;
	std::vector<std::string> attachments;

	/// Adds the into() of every column to statement.
	void receive(Poco::Data::Statement& statement)
	{
		statement, into(ids), into(from), into(to), into(groups), into(names), into(texts), into(times),
			into(edited), into(deleted), into(events), into(attachments);
	}

	std::vector<Message> messages(bool reversed)
	{
		std::vector<Message> result;
		const std::size_t n = ids.size();
		result.resize(n);
		for (std::size_t i = 0; i < n; ++i)
			take(i, result[reversed ? n - 1 - i : i]);
		return result;
	}

	std::vector<MessageUpdate> updates()
	{
		std::vector<MessageUpdate> result(ids.size());
		for (std::size_t i = 0; i < ids.size(); ++i)
		{
			result[i].eventId = events[i];
			take(i, result[i].message);
		}
		return result;
	}

private:
	void take(std::size_t i, Message& m)
	{
		m.id = ids[i];
		m.fromUserId = from[i];
		m.toUserId = to[i];
		m.groupId = groups[i];
		m.fromUserName = std::move(names[i]);
		m.text = std::move(texts[i]);
		m.timestamp = times[i];
		m.editedAt = edited[i];
		m.deleted = deleted[i] != 0;
		m.attachment = std::move(attachments[i]);
	}
};

MessageRepository::MessageRepository(Database& database, Poco::Logger& logger):
	_database(database),
	_logger(logger),
	_partners(database),
	_insertPrefix("INSERT INTO messages (from_user_id, to_user_id, group_id, user_lo, user_hi, from_user_name, text, created_at, attachment) VALUES "),
	_insert(database.sql(_insertPrefix + "(?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")),
	_conversationRange(database.sql(
		"SELECT " + COLUMNS + " FROM messages WHERE user_lo = ? AND user_hi = ? AND id > ? AND id < ? ORDER BY id LIMIT ?")),
	_conversationPage(database.sql(
		"SELECT " + COLUMNS + " FROM messages WHERE user_lo = ? AND user_hi = ? AND id < ? ORDER BY id DESC LIMIT ?")),
	// Two index ranges, each stopping after limit rows, merged: cheaper than
	// an OR that the planner would have to sort whole. The received branch
	// leaves out messages to oneself, which the sent branch already has; the
	// sent branch leaves out messages to groups (groupEventsSince() reads those).
	_since(database.sql(
		"SELECT " + COLUMNS + " FROM (SELECT " + COLUMNS + " FROM messages WHERE from_user_id = ? AND group_id = 0 AND id > ? ORDER BY id LIMIT ?) AS sent "
		"UNION ALL "
		"SELECT " + COLUMNS + " FROM (SELECT " + COLUMNS + " FROM messages WHERE to_user_id = ? AND from_user_id <> ? AND id > ? ORDER BY id LIMIT ?) AS received "
		"ORDER BY id LIMIT ?")),
	_byId(database.sql("SELECT " + COLUMNS + " FROM messages WHERE id = ?")),
	// The same sequence as the ids: SQLite's AUTOINCREMENT keeps it in
	// sqlite_sequence (and never hands out a value at or below it again).
	_nextEventId(database.kind() == Database::Kind::PostgreSQL
		? "SELECT nextval(pg_get_serial_sequence('messages', 'id'))"
		: "UPDATE sqlite_sequence SET seq = seq + 1 WHERE name = 'messages' RETURNING seq"),
	_update(database.sql("UPDATE messages SET text = ?, edited_at = ?, deleted = ?, event_id = ?, attachment = ? WHERE id = ?")),
	// _since's two ranges with each new message keyed by its id, and the
	// same two for the changes of older messages, in event order: four
	// bounded index ranges, one statement, one snapshot. "event_id > 0"
	// names the partial indexes' condition word for word, so that the
	// planners may use them.
	_eventsSince(database.sql(
		"SELECT " + COLUMNS + " FROM (SELECT " + KEYED_BY_ID + " FROM messages WHERE from_user_id = ? AND group_id = 0 AND id > ? ORDER BY id LIMIT ?) AS sent "
		"UNION ALL "
		"SELECT " + COLUMNS + " FROM (SELECT " + KEYED_BY_ID + " FROM messages WHERE to_user_id = ? AND from_user_id <> ? AND id > ? ORDER BY id LIMIT ?) AS received "
		"UNION ALL "
		"SELECT " + COLUMNS + " FROM (SELECT " + COLUMNS + " FROM messages WHERE from_user_id = ? AND event_id > 0 AND group_id = 0 AND event_id > ? AND id <= ? ORDER BY event_id LIMIT ?) AS sent_changes "
		"UNION ALL "
		"SELECT " + COLUMNS + " FROM (SELECT " + COLUMNS + " FROM messages WHERE to_user_id = ? AND event_id > 0 AND from_user_id <> ? AND event_id > ? AND id <= ? ORDER BY event_id LIMIT ?) AS received_changes "
		"ORDER BY event_id LIMIT ?")),
	_groupRange(database.sql(
		"SELECT " + COLUMNS + " FROM messages WHERE group_id = ? AND id > ? AND id < ? ORDER BY id LIMIT ?")),
	_groupPage(database.sql(
		"SELECT " + COLUMNS + " FROM messages WHERE group_id = ? AND id > ? AND id < ? ORDER BY id DESC LIMIT ?"))
{
}

std::vector<std::vector<std::string>> MessageRepository::schema(const Database& database)
{
	return {
		{
			"CREATE TABLE messages ("
				"id " + database.serialPrimaryKey() + ", "
				"from_user_id BIGINT NOT NULL, "
				"to_user_id BIGINT NOT NULL, "
				"user_lo BIGINT NOT NULL, "
				"user_hi BIGINT NOT NULL, "
				"from_user_name VARCHAR(255) NOT NULL, "
				"text TEXT NOT NULL, "
				"created_at BIGINT NOT NULL)",
			"CREATE INDEX messages_conversation ON messages (user_lo, user_hi, id)",
			"CREATE INDEX messages_sender ON messages (from_user_id, id)",
			"CREATE INDEX messages_receiver ON messages (to_user_id, id)"
		},
		{
			"ALTER TABLE messages ADD COLUMN edited_at BIGINT NOT NULL DEFAULT 0",
			"ALTER TABLE messages ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0",
			"ALTER TABLE messages ADD COLUMN event_id BIGINT NOT NULL DEFAULT 0",
			"CREATE INDEX messages_sender_changes ON messages (from_user_id, event_id) WHERE event_id > 0",
			"CREATE INDEX messages_receiver_changes ON messages (to_user_id, event_id) WHERE event_id > 0"
		},
		{
			// Messages to groups (API 2.1): to_user_id, user_lo and user_hi
			// are 0, so that no conversation between two users reads them.
			"ALTER TABLE messages ADD COLUMN group_id BIGINT NOT NULL DEFAULT 0",
			"CREATE INDEX messages_group ON messages (group_id, id)"
		},
		{
			// The chat list (issue 16): a user's partners with lower ids are
			// found by skipping through this index (directChats()); unread
			// counts are ranges of the second, read without the table.
			"CREATE INDEX messages_partners ON messages (user_hi, user_lo)",
			"CREATE INDEX messages_unread ON messages (user_lo, user_hi, from_user_id, id)"
		},
		{
			// Photos and files (issue 17): the attachment object as JSON text, '' for none.
			"ALTER TABLE messages ADD COLUMN attachment TEXT NOT NULL DEFAULT ''"
		},
		upgradeForWriter(database)
	};
}

void MessageRepository::migrate()
{
	_database.migrate("messages", schema(_database));
}

void MessageRepository::insert(std::vector<Message*>& batch)
{
	if (batch.empty()) return;
	const std::size_t n = batch.size();
	std::vector<Poco::Int64> from(n), to(n), group(n), lo(n), hi(n), times(n);
	std::vector<std::string> names(n), texts(n), attachments(n);
	for (std::size_t i = 0; i < n; ++i)
	{
		Message& m = *batch[i];
		from[i] = m.fromUserId;
		to[i] = m.toUserId;
		group[i] = m.groupId;
		lo[i] = m.groupId > 0 ? 0 : std::min(m.fromUserId, m.toUserId);
		hi[i] = m.groupId > 0 ? 0 : std::max(m.fromUserId, m.toUserId);
		times[i] = m.timestamp;
		// Borrowed, not copied; given back below whatever happens.
		names[i].swap(m.fromUserName);
		texts[i].swap(m.text);
		attachments[i].swap(m.attachment);
	}
	auto giveBack = [&]
	{
		for (std::size_t i = 0; i < n; ++i)
		{
			batch[i]->fromUserName.swap(names[i]);
			batch[i]->text.swap(texts[i]);
			batch[i]->attachment.swap(attachments[i]);
		}
	};

	std::vector<Poco::Int64> ids;
	ids.reserve(n);
	try
	{
		_database.transact([&](Poco::Data::Session& session)
		{
			if (_database.kind() == Database::Kind::PostgreSQL)
			{
				// Poco 1.11's PostgreSQL statement frees its previous result
				// without forgetting it, so a statement executed again (one
				// execution per row of bound vectors) whose later execution
				// fails frees it twice and crashes. So: one multi-row INSERT,
				// executed once. Its RETURNING rows need not come in VALUES
				// order, but the ids are drawn in that order: sorted, they
				// match the rows.
				std::string sql = _insertPrefix;
				for (std::size_t i = 0; i < n; ++i)
					sql += i == 0 ? "(?, ?, ?, ?, ?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?, ?, ?, ?, ?)";
				sql += " RETURNING id";
				Poco::Data::Statement statement(session);
				statement << _database.sql(sql);
				for (std::size_t i = 0; i < n; ++i)
					statement, use(from[i]), use(to[i]), use(group[i]), use(lo[i]), use(hi[i]), use(names[i]), use(texts[i]), use(times[i]),
						use(attachments[i]);
				statement, into(ids);
				statement.execute();
				std::sort(ids.begin(), ids.end());
			}
			else
			{
				// Vectors bind row by row to one prepared statement; RETURNING
				// appends each row's id in order.
				session << _insert, use(from), use(to), use(group), use(lo), use(hi), use(names), use(texts), use(times), use(attachments),
					into(ids), now;
			}
			if (ids.size() != n)
				throw Poco::Data::DataException("messages: INSERT ... RETURNING gave " + std::to_string(ids.size()) + " ids for " + std::to_string(n) + " rows");
			_partners.add(session, batch);
		});
	}
	catch (...)
	{
		_partners.rolledBack();
		giveBack();
		throw;
	}
	_partners.committed();
	giveBack();
	for (std::size_t i = 0; i < n; ++i)
		batch[i]->id = ids[i];
}

void MessageRepository::forgetSenderName(Poco::Int64 userId)
{
	_database.transact([&](Poco::Data::Session& session)
	{
		Poco::Int64 id = userId;
		session << _database.sql("UPDATE messages SET from_user_name = '' WHERE from_user_id = ?"), use(id), now;
	});
}

std::vector<Message> MessageRepository::conversation(Poco::Int64 a, Poco::Int64 b, Poco::Int64 beforeId, std::size_t limit)
{
	if (limit == 0) return conversationRange(a, b, 0, beforeId, std::numeric_limits<std::int32_t>::max());
	const Poco::Int64 before = beforeId > 0 ? beforeId : std::numeric_limits<Poco::Int64>::max();
	// A page is read newest first, so that LIMIT keeps the newest.
	return select(_conversationPage, {std::min(a, b), std::max(a, b), before, boundedLimit(limit)}, "a conversation").messages(true);
}

std::vector<Message> MessageRepository::conversationRange(Poco::Int64 a, Poco::Int64 b, Poco::Int64 afterId, Poco::Int64 beforeId, std::size_t limit)
{
	const Poco::Int64 before = beforeId > 0 ? beforeId : std::numeric_limits<Poco::Int64>::max();
	return select(_conversationRange, {std::min(a, b), std::max(a, b), afterId, before, boundedLimit(limit)}, "a conversation").messages(false);
}

std::vector<Message> MessageRepository::since(Poco::Int64 userId, Poco::Int64 sinceId, std::size_t limit)
{
	if (limit == 0) return {};
	const Poco::Int64 max = boundedLimit(limit);
	return select(_since, {userId, sinceId, max, userId, userId, sinceId, max, max}, "messages since an id").messages(false);
}

std::vector<MessageUpdate> MessageRepository::eventsSince(Poco::Int64 userId, const std::vector<MessageStore::GroupWindow>& groups,
	Poco::Int64 sinceId, std::size_t limit)
{
	if (limit == 0) return {};
	const Poco::Int64 max = boundedLimit(limit);
	std::vector<MessageUpdate> events = select(_eventsSince, {userId, sinceId, max, userId, userId, sinceId, max,
		userId, sinceId, sinceId, max, userId, userId, sinceId, sinceId, max, max}, "events since an event id").updates();
	if (groups.empty()) return events;
	for (std::size_t first = 0; first < groups.size(); first += WINDOWS_PER_QUERY)
	{
		const std::size_t end = std::min(groups.size(), first + WINDOWS_PER_QUERY);
		std::vector<MessageUpdate> chunk = groupEventsSince(groups.data() + first, end - first, sinceId, max);
		events.insert(events.end(), std::make_move_iterator(chunk.begin()), std::make_move_iterator(chunk.end()));
	}
	std::sort(events.begin(), events.end(), [](const MessageUpdate& a, const MessageUpdate& b) { return a.eventId < b.eventId; });
	if (events.size() > limit) events.resize(limit);
	return events;
}

std::vector<MessageUpdate> MessageRepository::groupEventsSince(const MessageStore::GroupWindow* windows, std::size_t count,
	Poco::Int64 sinceId, Poco::Int64 max)
{
	// As _eventsSince, per group window: its new messages keyed by their ids,
	// and the changes after sinceId of the older ones it can see.
	std::string added, changed;
	std::vector<Poco::Int64> parameters;
	parameters.reserve(5 * count + 1);
	for (std::size_t i = 0; i < count; ++i)
	{
		added += i == 0 ? "(group_id = ? AND id > ?)" : " OR (group_id = ? AND id > ?)";
		parameters.push_back(windows[i].groupId);
		parameters.push_back(std::max(windows[i].afterId, sinceId));
	}
	for (std::size_t i = 0; i < count; ++i)
	{
		changed += i == 0 ? "(group_id = ? AND id > ? AND id <= ?)" : " OR (group_id = ? AND id > ? AND id <= ?)";
		parameters.push_back(windows[i].groupId);
		parameters.push_back(windows[i].afterId);
		parameters.push_back(sinceId);
	}
	parameters.push_back(sinceId);
	parameters.push_back(max);
	const std::string sql =
		"SELECT " + KEYED_BY_ID + " FROM messages WHERE " + added + " "
		"UNION ALL "
		"SELECT " + COLUMNS + " FROM messages WHERE (" + changed + ") AND event_id > 0 AND event_id > ? "
		"ORDER BY event_id LIMIT ?";
	return select(_database.sql(sql), std::move(parameters), "group events since an event id").updates();
}

std::vector<Message> MessageRepository::groupMessages(Poco::Int64 groupId, Poco::Int64 afterId, Poco::Int64 beforeId, std::size_t limit)
{
	// limit 0: every message, read oldest first; else the newest limit, read
	// newest first so that LIMIT keeps them.
	if (limit == 0) return groupRange(groupId, afterId, beforeId, std::numeric_limits<std::int32_t>::max());
	const Poco::Int64 before = beforeId > 0 ? beforeId : std::numeric_limits<Poco::Int64>::max();
	return select(_groupPage, {groupId, afterId, before, boundedLimit(limit)}, "a group's messages").messages(true);
}

std::vector<Message> MessageRepository::groupRange(Poco::Int64 groupId, Poco::Int64 afterId, Poco::Int64 beforeId, std::size_t limit)
{
	const Poco::Int64 before = beforeId > 0 ? beforeId : std::numeric_limits<Poco::Int64>::max();
	return select(_groupRange, {groupId, afterId, before, boundedLimit(limit)}, "a group's messages").messages(false);
}

void MessageRepository::query(const char* what, const std::string& sql, std::vector<Poco::Int64> parameters,
	const std::function<void(Poco::Data::Statement&)>& results)
{
	try
	{
		Poco::Data::Session session = _database.session();
		Poco::Data::Statement statement(session);
		statement << _database.sql(sql);
		for (Poco::Int64& parameter: parameters) statement, use(parameter);
		results(statement);
		statement.execute();
	}
	catch (HttpError&)
	{
		throw;
	}
	catch (Poco::Exception& e)
	{
		_logger.error("messages: reading %s failed: %s", std::string(what), e.displayText());
		throw HttpError::unavailable();
	}
}

Poco::Int64 MessageRepository::scalar(const char* what, const std::string& sql, std::vector<Poco::Int64> parameters)
{
	Poco::Int64 value = 0;
	query(what, sql, std::move(parameters), [&value](Poco::Data::Statement& statement) { statement, into(value); });
	return value;
}

std::vector<std::pair<Poco::Int64, Poco::Int64>> MessageRepository::pairs(const char* what, const std::string& sql,
	std::vector<Poco::Int64> parameters)
{
	std::vector<Poco::Int64> first;
	std::vector<Poco::Int64> second;
	query(what, sql, std::move(parameters), [&](Poco::Data::Statement& statement) { statement, into(first), into(second); });
	std::vector<std::pair<Poco::Int64, Poco::Int64>> result;
	result.reserve(first.size());
	for (std::size_t i = 0; i < first.size() && i < second.size(); ++i) result.emplace_back(first[i], second[i]);
	return result;
}

Poco::Int64 MessageRepository::lastId()
{
	return scalar("the last id", "SELECT COALESCE(MAX(id), 0) FROM messages", {});
}

Poco::Int64 MessageRepository::countInGroupNotFrom(Poco::Int64 groupId, Poco::Int64 userId, Poco::Int64 afterId)
{
	return scalar("unread group messages", "SELECT COUNT(*) FROM messages WHERE group_id = ? AND id > ? AND from_user_id <> ?",
		{groupId, afterId, userId});
}

std::vector<std::pair<Poco::Int64, Poco::Int64>> MessageRepository::directChats(Poco::Int64 userId)
{
	// The user's partners are one range of chat_partners, each chat's last
	// id one seek in messages_chat. The user is user_lo of chats with higher
	// ids (and of the chat with themselves), user_hi of those with lower ids.
	return pairs("the chats of a user",
		"SELECT partner_id, (SELECT id FROM messages WHERE user_lo = ? AND user_hi = chat_partners.partner_id ORDER BY id DESC LIMIT 1) "
			"FROM chat_partners WHERE user_id = ? AND partner_id >= ? "
		"UNION ALL "
		"SELECT partner_id, (SELECT id FROM messages WHERE user_lo = chat_partners.partner_id AND user_hi = ? ORDER BY id DESC LIMIT 1) "
			"FROM chat_partners WHERE user_id = ? AND partner_id < ?",
		{userId, userId, userId, userId, userId, userId});
}

std::vector<Message> MessageRepository::byIds(const std::vector<Poco::Int64>& ids)
{
	if (ids.empty()) return {};
	std::string sql = "SELECT " + COLUMNS + " FROM messages WHERE id IN (?";
	for (std::size_t i = 1; i < ids.size(); ++i) sql += ", ?";
	sql += ") ORDER BY id";
	return select(_database.sql(sql), ids, "messages by id").messages(false);
}

std::map<Poco::Int64, Poco::Int64> MessageRepository::unreadFrom(Poco::Int64 reader, const std::map<Poco::Int64, Poco::Int64>& readUpTo)
{
	// One statement for the page: an index range per chat (messages_unread:
	// the partner's messages from the cursor on, counted without the table).
	std::string sql;
	std::vector<Poco::Int64> parameters;
	for (const auto& chat: readUpTo)
	{
		if (!sql.empty()) sql += " UNION ALL ";
		sql += "SELECT ?, COUNT(*) FROM messages WHERE user_lo = ? AND user_hi = ? AND id > ? AND from_user_id = ?";
		parameters.insert(parameters.end(), {chat.first, std::min(chat.first, reader), std::max(chat.first, reader), chat.second, chat.first});
	}
	std::map<Poco::Int64, Poco::Int64> counts;
	if (sql.empty()) return counts;
	for (const auto& count: pairs("unread messages", sql, std::move(parameters))) counts[count.first] = count.second;
	return counts;
}

std::vector<Message> MessageRepository::find(const std::string& from, std::string text, std::vector<Poco::Int64> parameters)
{
	return select(_database.sql("SELECT " + COLUMNS + " FROM " + from), std::move(parameters), "search results", &text).messages(false);
}

MessageRepository::Rows MessageRepository::select(const std::string& sql, std::vector<Poco::Int64> parameters, const char* what, std::string* text)
{
	Rows rows;
	try
	{
		Poco::Data::Session session = _database.session();
		Poco::Data::Statement statement(session);
		statement << sql;
		if (text) statement, use(*text);
		for (Poco::Int64& parameter: parameters) statement, use(parameter);
		rows.receive(statement);
		statement.execute();
	}
	catch (HttpError&)
	{
		throw;
	}
	catch (Poco::Exception& e)
	{
		_logger.error("messages: reading %s failed: %s", std::string(what), e.displayText());
		throw HttpError::unavailable();
	}
	return rows;
}

MessageUpdate MessageRepository::change(Poco::Int64 messageId, const Decide& decide)
{
	MessageUpdate update;
	try
	{
		_database.transact([&](Poco::Data::Session& session)
		{
			// The old text must not stay behind in the page's free space:
			// SQLite then overwrites what a change removes with zeros.
			if (_database.kind() == Database::Kind::SQLite)
				session << "PRAGMA secure_delete = ON", now;
			Poco::Int64 id = messageId;
			Rows rows;
			Poco::Data::Statement current(session);
			current << _byId, use(id);
			rows.receive(current);
			current.execute();
			if (rows.ids.empty()) throw HttpError::notFound("no such message");
			update.message = std::move(rows.messages(false).front());
			update.eventId = 0;
			if (!decide(update.message)) return;

			Poco::Int64 eventId = 0;
			session << _nextEventId, into(eventId), now;
			if (eventId <= id)
				throw Poco::Data::DataException("messages: the event sequence is behind message " + std::to_string(id));
			Poco::Int64 edited = update.message.editedAt;
			Poco::Int32 deleted = update.message.deleted ? 1 : 0;
			session << _update, use(update.message.text), use(edited), use(deleted), use(eventId), use(update.message.attachment), use(id), now;
			update.eventId = eventId;
		});
	}
	catch (HttpError&)
	{
		throw;
	}
	catch (Poco::Exception& e)
	{
		_logger.error("messages: changing message %Ld failed: %s", messageId, e.displayText());
		throw HttpError::unavailable();
	}
	return update;
}

} } // namespace Palaver::Messages
