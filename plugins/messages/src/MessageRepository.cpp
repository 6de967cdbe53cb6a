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

const std::string COLUMNS = "id, from_user_id, to_user_id, from_user_name, text, created_at, edited_at, deleted, event_id";
// COLUMNS with the id in event_id's place: a new message's event is itself.
const std::string KEYED_BY_ID = "id, from_user_id, to_user_id, from_user_name, text, created_at, edited_at, deleted, id AS event_id";

Poco::Int64 boundedLimit(std::size_t limit)
{
	return static_cast<Poco::Int64>(std::min<std::size_t>(limit, std::numeric_limits<std::int32_t>::max()));
}

} // namespace

// The columns of COLUMNS, one vector each: Poco fills all rows in one go.
struct MessageRepository::Rows
{
	std::vector<Poco::Int64> ids;
	std::vector<Poco::Int64> from;
	std::vector<Poco::Int64> to;
	std::vector<std::string> names;
	std::vector<std::string> texts;
	std::vector<Poco::Int64> times;
	std::vector<Poco::Int64> edited;
	std::vector<Poco::Int32> deleted;
	std::vector<Poco::Int64> events;

	/// Adds the into() of every column to statement.
	void receive(Poco::Data::Statement& statement)
	{
		statement, into(ids), into(from), into(to), into(names), into(texts), into(times),
			into(edited), into(deleted), into(events);
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
		m.fromUserName = std::move(names[i]);
		m.text = std::move(texts[i]);
		m.timestamp = times[i];
		m.editedAt = edited[i];
		m.deleted = deleted[i] != 0;
	}
};

MessageRepository::MessageRepository(Database& database, Poco::Logger& logger):
	_database(database),
	_logger(logger),
	_insertPrefix("INSERT INTO messages (from_user_id, to_user_id, user_lo, user_hi, from_user_name, text, created_at) VALUES "),
	_insert(database.sql(_insertPrefix + "(?, ?, ?, ?, ?, ?, ?) RETURNING id")),
	_conversationRange(database.sql(
		"SELECT " + COLUMNS + " FROM messages WHERE user_lo = ? AND user_hi = ? AND id > ? AND id < ? ORDER BY id LIMIT ?")),
	_conversationPage(database.sql(
		"SELECT " + COLUMNS + " FROM messages WHERE user_lo = ? AND user_hi = ? AND id < ? ORDER BY id DESC LIMIT ?")),
	// Two index ranges, each stopping after limit rows, merged: cheaper than
	// an OR that the planner would have to sort whole. The received branch
	// leaves out messages to oneself, which the sent branch already has.
	_since(database.sql(
		"SELECT " + COLUMNS + " FROM (SELECT " + COLUMNS + " FROM messages WHERE from_user_id = ? AND id > ? ORDER BY id LIMIT ?) AS sent "
		"UNION ALL "
		"SELECT " + COLUMNS + " FROM (SELECT " + COLUMNS + " FROM messages WHERE to_user_id = ? AND from_user_id <> ? AND id > ? ORDER BY id LIMIT ?) AS received "
		"ORDER BY id LIMIT ?")),
	_byId(database.sql("SELECT " + COLUMNS + " FROM messages WHERE id = ?")),
	// The same sequence as the ids: SQLite's AUTOINCREMENT keeps it in
	// sqlite_sequence (and never hands out a value at or below it again).
	_nextEventId(database.kind() == Database::Kind::PostgreSQL
		? "SELECT nextval(pg_get_serial_sequence('messages', 'id'))"
		: "UPDATE sqlite_sequence SET seq = seq + 1 WHERE name = 'messages' RETURNING seq"),
	_update(database.sql("UPDATE messages SET text = ?, edited_at = ?, deleted = ?, event_id = ? WHERE id = ?")),
	// _since's two ranges with each new message keyed by its id, and the
	// same two for the changes of older messages, in event order: four
	// bounded index ranges, one statement, one snapshot. "event_id > 0"
	// names the partial indexes' condition word for word, so that the
	// planners may use them.
	_eventsSince(database.sql(
		"SELECT " + COLUMNS + " FROM (SELECT " + KEYED_BY_ID + " FROM messages WHERE from_user_id = ? AND id > ? ORDER BY id LIMIT ?) AS sent "
		"UNION ALL "
		"SELECT " + COLUMNS + " FROM (SELECT " + KEYED_BY_ID + " FROM messages WHERE to_user_id = ? AND from_user_id <> ? AND id > ? ORDER BY id LIMIT ?) AS received "
		"UNION ALL "
		"SELECT " + COLUMNS + " FROM (SELECT " + COLUMNS + " FROM messages WHERE from_user_id = ? AND event_id > 0 AND event_id > ? AND id <= ? ORDER BY event_id LIMIT ?) AS sent_changes "
		"UNION ALL "
		"SELECT " + COLUMNS + " FROM (SELECT " + COLUMNS + " FROM messages WHERE to_user_id = ? AND event_id > 0 AND from_user_id <> ? AND event_id > ? AND id <= ? ORDER BY event_id LIMIT ?) AS received_changes "
		"ORDER BY event_id LIMIT ?"))
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
		}
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
	std::vector<Poco::Int64> from(n), to(n), lo(n), hi(n), times(n);
	std::vector<std::string> names(n), texts(n);
	for (std::size_t i = 0; i < n; ++i)
	{
		Message& m = *batch[i];
		from[i] = m.fromUserId;
		to[i] = m.toUserId;
		lo[i] = std::min(m.fromUserId, m.toUserId);
		hi[i] = std::max(m.fromUserId, m.toUserId);
		times[i] = m.timestamp;
		// Borrowed, not copied; given back below whatever happens.
		names[i].swap(m.fromUserName);
		texts[i].swap(m.text);
	}
	auto giveBack = [&]
	{
		for (std::size_t i = 0; i < n; ++i)
		{
			batch[i]->fromUserName.swap(names[i]);
			batch[i]->text.swap(texts[i]);
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
					sql += i == 0 ? "(?, ?, ?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?, ?, ?)";
				sql += " RETURNING id";
				Poco::Data::Statement statement(session);
				statement << _database.sql(sql);
				for (std::size_t i = 0; i < n; ++i)
					statement, use(from[i]), use(to[i]), use(lo[i]), use(hi[i]), use(names[i]), use(texts[i]), use(times[i]);
				statement, into(ids);
				statement.execute();
				std::sort(ids.begin(), ids.end());
			}
			else
			{
				// Vectors bind row by row to one prepared statement; RETURNING
				// appends each row's id in order.
				session << _insert, use(from), use(to), use(lo), use(hi), use(names), use(texts), use(times), into(ids), now;
			}
			if (ids.size() != n)
				throw Poco::Data::DataException("messages: INSERT ... RETURNING gave " + std::to_string(ids.size()) + " ids for " + std::to_string(n) + " rows");
		});
	}
	catch (...)
	{
		giveBack();
		throw;
	}
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

std::vector<MessageUpdate> MessageRepository::eventsSince(Poco::Int64 userId, Poco::Int64 sinceId, std::size_t limit)
{
	if (limit == 0) return {};
	const Poco::Int64 max = boundedLimit(limit);
	return select(_eventsSince, {userId, sinceId, max, userId, userId, sinceId, max,
		userId, sinceId, sinceId, max, userId, userId, sinceId, sinceId, max, max}, "events since an event id").updates();
}

MessageRepository::Rows MessageRepository::select(const std::string& sql, std::vector<Poco::Int64> parameters, const char* what)
{
	Rows rows;
	try
	{
		Poco::Data::Session session = _database.session();
		Poco::Data::Statement statement(session);
		statement << sql;
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
			session << _update, use(update.message.text), use(edited), use(deleted), use(eventId), use(id), now;
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
