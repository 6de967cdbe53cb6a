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

const std::string COLUMNS = "id, from_user_id, to_user_id, group_id, from_user_name, text, created_at";

// Group windows per statement of sinceInGroups(): two placeholders each.
const std::size_t WINDOWS_PER_QUERY = 200;

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
	std::vector<Poco::Int64> groups;
	std::vector<std::string> names;
	std::vector<std::string> texts;
	std::vector<Poco::Int64> times;

	std::vector<Message> messages(bool reversed)
	{
		std::vector<Message> result;
		const std::size_t n = ids.size();
		result.resize(n);
		for (std::size_t i = 0; i < n; ++i)
		{
			Message& m = result[reversed ? n - 1 - i : i];
			m.id = ids[i];
			m.fromUserId = from[i];
			m.toUserId = to[i];
			m.groupId = groups[i];
			m.fromUserName = std::move(names[i]);
			m.text = std::move(texts[i]);
			m.timestamp = times[i];
		}
		return result;
	}

	/// Binds every column of COLUMNS, in order, as the statement's output.
	void bind(Poco::Data::Statement& statement)
	{
		statement, into(ids), into(from), into(to), into(groups), into(names), into(texts), into(times);
	}
};

MessageRepository::MessageRepository(Database& database, Poco::Logger& logger):
	_database(database),
	_logger(logger),
	_insertPrefix("INSERT INTO messages (from_user_id, to_user_id, group_id, user_lo, user_hi, from_user_name, text, created_at) VALUES "),
	_insert(database.sql(_insertPrefix + "(?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")),
	_conversationRange(database.sql(
		"SELECT " + COLUMNS + " FROM messages WHERE user_lo = ? AND user_hi = ? AND id > ? AND id < ? ORDER BY id LIMIT ?")),
	_conversationPage(database.sql(
		"SELECT " + COLUMNS + " FROM messages WHERE user_lo = ? AND user_hi = ? AND id < ? ORDER BY id DESC LIMIT ?")),
	// Two index ranges, each stopping after limit rows, merged: cheaper than
	// an OR that the planner would have to sort whole. The received branch
	// leaves out messages to oneself, which the sent branch already has; the
	// sent branch leaves out messages to groups (sinceInGroups() reads those).
	_since(database.sql(
		"SELECT " + COLUMNS + " FROM (SELECT " + COLUMNS + " FROM messages WHERE from_user_id = ? AND group_id = 0 AND id > ? ORDER BY id LIMIT ?) AS sent "
		"UNION ALL "
		"SELECT " + COLUMNS + " FROM (SELECT " + COLUMNS + " FROM messages WHERE to_user_id = ? AND from_user_id <> ? AND id > ? ORDER BY id LIMIT ?) AS received "
		"ORDER BY id LIMIT ?")),
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
			// Messages to groups (API 2.1): to_user_id, user_lo and user_hi
			// are 0, so that no conversation between two users reads them.
			"ALTER TABLE messages ADD COLUMN group_id BIGINT NOT NULL DEFAULT 0",
			"CREATE INDEX messages_group ON messages (group_id, id)"
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
	std::vector<Poco::Int64> from(n), to(n), group(n), lo(n), hi(n), times(n);
	std::vector<std::string> names(n), texts(n);
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
					sql += i == 0 ? "(?, ?, ?, ?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?, ?, ?, ?)";
				sql += " RETURNING id";
				Poco::Data::Statement statement(session);
				statement << _database.sql(sql);
				for (std::size_t i = 0; i < n; ++i)
					statement, use(from[i]), use(to[i]), use(group[i]), use(lo[i]), use(hi[i]), use(names[i]), use(texts[i]), use(times[i]);
				statement, into(ids);
				statement.execute();
				std::sort(ids.begin(), ids.end());
			}
			else
			{
				// Vectors bind row by row to one prepared statement; RETURNING
				// appends each row's id in order.
				session << _insert, use(from), use(to), use(group), use(lo), use(hi), use(names), use(texts), use(times), into(ids), now;
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
	Poco::Int64 lo = std::min(a, b);
	Poco::Int64 hi = std::max(a, b);
	Poco::Int64 before = beforeId > 0 ? beforeId : std::numeric_limits<Poco::Int64>::max();
	if (limit == 0) return conversationRange(a, b, 0, beforeId, std::numeric_limits<std::int32_t>::max());
	Poco::Int64 max = boundedLimit(limit);
	// A page is read newest first, so that LIMIT keeps the newest.
	return read([&](Poco::Data::Session& session, Rows& rows)
	{
		session << _conversationPage, use(lo), use(hi), use(before), use(max),
			into(rows.ids), into(rows.from), into(rows.to), into(rows.groups), into(rows.names), into(rows.texts), into(rows.times), now;
	}, true);
}

std::vector<Message> MessageRepository::conversationRange(Poco::Int64 a, Poco::Int64 b, Poco::Int64 afterId, Poco::Int64 beforeId, std::size_t limit)
{
	Poco::Int64 lo = std::min(a, b);
	Poco::Int64 hi = std::max(a, b);
	Poco::Int64 after = afterId;
	Poco::Int64 before = beforeId > 0 ? beforeId : std::numeric_limits<Poco::Int64>::max();
	Poco::Int64 max = boundedLimit(limit);
	return read([&](Poco::Data::Session& session, Rows& rows)
	{
		session << _conversationRange, use(lo), use(hi), use(after), use(before), use(max),
			into(rows.ids), into(rows.from), into(rows.to), into(rows.groups), into(rows.names), into(rows.texts), into(rows.times), now;
	}, false);
}

std::vector<Message> MessageRepository::read(const std::function<void(Poco::Data::Session&, Rows&)>& query, bool reversed)
{
	Rows rows;
	try
	{
		Poco::Data::Session session = _database.session();
		query(session, rows);
	}
	catch (HttpError&)
	{
		throw;
	}
	catch (Poco::Exception& e)
	{
		_logger.error("messages: reading a conversation failed: %s", e.displayText());
		throw HttpError::unavailable();
	}
	return rows.messages(reversed);
}

std::vector<Message> MessageRepository::since(Poco::Int64 userId, Poco::Int64 sinceId, std::size_t limit)
{
	if (limit == 0) return {};
	Poco::Int64 user = userId;
	Poco::Int64 after = sinceId;
	Poco::Int64 max = boundedLimit(limit);
	Rows rows;
	try
	{
		Poco::Data::Session session = _database.session();
		session << _since, use(user), use(after), use(max), use(user), use(user), use(after), use(max), use(max),
			into(rows.ids), into(rows.from), into(rows.to), into(rows.groups), into(rows.names), into(rows.texts), into(rows.times), now;
	}
	catch (HttpError&)
	{
		throw;
	}
	catch (Poco::Exception& e)
	{
		_logger.error("messages: reading messages since an id failed: %s", e.displayText());
		throw HttpError::unavailable();
	}
	return rows.messages(false);
}

std::vector<Message> MessageRepository::groupMessages(Poco::Int64 groupId, Poco::Int64 afterId, Poco::Int64 beforeId, std::size_t limit)
{
	Poco::Int64 group = groupId;
	Poco::Int64 after = afterId;
	Poco::Int64 before = beforeId > 0 ? beforeId : std::numeric_limits<Poco::Int64>::max();
	// limit 0: every message, read oldest first; else the newest limit, read
	// newest first so that LIMIT keeps them.
	Poco::Int64 max = limit == 0 ? std::numeric_limits<std::int32_t>::max() : boundedLimit(limit);
	const bool newest = limit > 0;
	return read([&](Poco::Data::Session& session, Rows& rows)
	{
		Poco::Data::Statement statement(session);
		statement << (newest ? _groupPage : _groupRange), use(group), use(after), use(before), use(max);
		rows.bind(statement);
		statement.execute();
	}, newest);
}

std::vector<Message> MessageRepository::sinceInGroups(const std::vector<MessageStore::GroupWindow>& groups, Poco::Int64 sinceId, std::size_t limit)
{
	std::vector<Message> result;
	if (limit == 0) return result;
	Poco::Int64 max = boundedLimit(limit);
	for (std::size_t first = 0; first < groups.size(); first += WINDOWS_PER_QUERY)
	{
		const std::size_t end = std::min(groups.size(), first + WINDOWS_PER_QUERY);
		std::vector<Poco::Int64> ids, afters;
		std::string sql = "SELECT " + COLUMNS + " FROM messages WHERE ";
		for (std::size_t i = first; i < end; ++i)
		{
			sql += i == first ? "(group_id = ? AND id > ?)" : " OR (group_id = ? AND id > ?)";
			ids.push_back(groups[i].groupId);
			afters.push_back(std::max(groups[i].afterId, sinceId));
		}
		sql += " ORDER BY id LIMIT ?";
		std::vector<Message> chunk = read([&](Poco::Data::Session& session, Rows& rows)
		{
			Poco::Data::Statement statement(session);
			statement << _database.sql(sql);
			for (std::size_t i = 0; i < ids.size(); ++i) statement, use(ids[i]), use(afters[i]);
			statement, use(max);
			rows.bind(statement);
			statement.execute();
		}, false);
		result.insert(result.end(), std::make_move_iterator(chunk.begin()), std::make_move_iterator(chunk.end()));
	}
	if (groups.size() > WINDOWS_PER_QUERY)
	{
		std::sort(result.begin(), result.end(), [](const Message& a, const Message& b) { return a.id < b.id; });
		if (result.size() > limit) result.resize(limit);
	}
	return result;
}

Poco::Int64 MessageRepository::scalar(const char* what, const std::string& sql, std::vector<Poco::Int64> parameters)
{
	Poco::Int64 value = 0;
	try
	{
		Poco::Data::Session session = _database.session();
		Poco::Data::Statement statement(session);
		statement << _database.sql(sql);
		for (Poco::Int64& parameter: parameters) statement, use(parameter);
		statement, into(value);
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
	return value;
}

Poco::Int64 MessageRepository::lastId()
{
	return scalar("the last id", "SELECT COALESCE(MAX(id), 0) FROM messages", {});
}

Poco::Int64 MessageRepository::countFrom(Poco::Int64 from, Poco::Int64 to, Poco::Int64 afterId)
{
	return scalar("unread messages", "SELECT COUNT(*) FROM messages WHERE user_lo = ? AND user_hi = ? AND id > ? AND from_user_id = ?",
		{std::min(from, to), std::max(from, to), afterId, from});
}

Poco::Int64 MessageRepository::countInGroupNotFrom(Poco::Int64 groupId, Poco::Int64 userId, Poco::Int64 afterId)
{
	return scalar("unread group messages", "SELECT COUNT(*) FROM messages WHERE group_id = ? AND id > ? AND from_user_id <> ?",
		{groupId, afterId, userId});
}

std::vector<std::pair<Poco::Int64, Poco::Int64>> MessageRepository::directChats(Poco::Int64 userId)
{
	std::vector<Poco::Int64> lo, hi, last;
	try
	{
		Poco::Data::Session session = _database.session();
		Poco::Int64 user = userId;
		// Group messages have user_lo = user_hi = 0: never a user's.
		session << _database.sql("SELECT user_lo, user_hi, MAX(id) FROM messages WHERE user_lo = ? OR user_hi = ? GROUP BY user_lo, user_hi"),
			use(user), use(user), into(lo), into(hi), into(last), now;
	}
	catch (HttpError&)
	{
		throw;
	}
	catch (Poco::Exception& e)
	{
		_logger.error("messages: reading the chats of a user failed: %s", e.displayText());
		throw HttpError::unavailable();
	}
	std::vector<std::pair<Poco::Int64, Poco::Int64>> chats;
	chats.reserve(lo.size());
	for (std::size_t i = 0; i < lo.size(); ++i) chats.emplace_back(lo[i] == userId ? hi[i] : lo[i], last[i]);
	return chats;
}

} } // namespace Palaver::Messages
