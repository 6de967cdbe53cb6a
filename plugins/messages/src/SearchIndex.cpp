#include "SearchIndex.h"
#include "MessageRepository.h"
#include "SearchQuery.h"
#include "palaver/Database.h"
#include "palaver/Failure.h"
#include "palaver/HttpError.h"
#include <Poco/Data/Session.h>
#include <Poco/Logger.h>
#include <algorithm>
#include <limits>

using namespace Poco::Data::Keywords;

namespace Palaver {
namespace Messages {

namespace {

// Pages of the FTS5 index one purge step merges, in one short write
// transaction: the writer's batches get in between the steps.
const int PURGE_PAGES = 200;

// Messages the indexer reads and indexes in one write transaction: short
// enough not to hold the writer's next batch up for long.
const Poco::Int64 INDEX_BATCH = 2000;

// How often the indexer looks for new messages: a message is findable
// within this (plus its batch) of its commit.
const std::chrono::milliseconds INDEX_INTERVAL(200);

// Only rows the indexer already reached are in the index: a change to a
// newer one is left to it (it reads the row as it then is).
const std::string INDEXED = "(SELECT indexed_up_to FROM messages_search_state)";

const char* const TRIGGERS[] = {"messages_search_update", "messages_search_delete"};

// A row's owners as the FTS5 column holds them; row is "new", "old" or "".
std::string owners(const std::string& row)
{
	const std::string prefix = row.empty() ? "" : row + ".";
	return "CASE WHEN " + prefix + "group_id > 0 THEN 'g' || " + prefix + "group_id "
		"ELSE 'u' || " + prefix + "from_user_id || ' u' || " + prefix + "to_user_id END";
}

// The FTS5 'delete' of a contentless table needs exactly the values indexed.
std::string unindex(const std::string& row)
{
	return "INSERT INTO messages_search (messages_search, rowid, text, owners) SELECT 'delete', " + row + ".id, " +
		row + ".text, " + owners(row) + " WHERE " + row + ".text <> '';";
}

std::string index(const std::string& row)
{
	return "INSERT INTO messages_search (rowid, text, owners) SELECT " + row + ".id, " + row + ".text, " + owners(row) +
		" WHERE " + row + ".text <> '';";
}

} // namespace

SearchIndex::SearchIndex(Database& database, MessageRepository& repository, Poco::Logger& logger, std::chrono::milliseconds purgeDelay):
	_database(database),
	_repository(repository),
	_logger(logger),
	_purger("search-purge", "messages: purging the search index", purgeDelay, [this] { purgeIfPending(); }, logger),
	_indexer("search-index", "messages: indexing new messages", INDEX_INTERVAL, [this] { indexNew(); }, logger)
{
}

void SearchIndex::migrate()
{
	if (_database.kind() == Database::Kind::PostgreSQL)
	{
		_database.migrate("message_search", {
			{
				// A trusted extension since PostgreSQL 13: the database's
				// owner may create it.
				"CREATE EXTENSION IF NOT EXISTS unaccent",
				// unaccent() is only STABLE (its dictionary could change):
				// an index needs an IMMUTABLE function, with the search path
				// of its creation.
				"CREATE FUNCTION palaver_search_words(input text) RETURNS tsvector "
					"LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path FROM CURRENT AS "
					"$$ SELECT to_tsvector('simple'::regconfig, unaccent('unaccent'::regdictionary, input)) $$",
				// Every lexeme of the plain words as a prefix, all required;
				// quote_literal keeps each one a single lexeme.
				"CREATE FUNCTION palaver_search_query(input text) RETURNS tsquery "
					"LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path FROM CURRENT AS "
					"$$ SELECT to_tsquery('simple'::regconfig, COALESCE(string_agg(quote_literal(lexeme) || ':*', ' & '), '')) "
					"FROM unnest(tsvector_to_array(palaver_search_words(input))) AS lexeme $$"
			}
		});
		return;
	}
	_database.migrate("message_search", {
		{
			"CREATE VIRTUAL TABLE messages_search USING fts5(text, owners, content='', detail=column, columnsize=0, "
				"tokenize='unicode61 remove_diacritics 2', prefix='2 3')",
			// The highest message id the indexer has indexed.
			"CREATE TABLE messages_search_state (indexed_up_to BIGINT NOT NULL)",
			"INSERT INTO messages_search_state (indexed_up_to) VALUES (0)"
		}
	});
}

void SearchIndex::setEnabled(bool enabled)
{
	_enabled = enabled;
	_database.transact([&](Poco::Data::Session& session)
	{
		if (_database.kind() == Database::Kind::PostgreSQL)
		{
			// Nodes of a cluster starting at once: one creates the index,
			// the others then find it (CREATE INDEX alone takes a lock that
			// does not exclude another CREATE INDEX).
			session << "LOCK TABLE messages IN SHARE ROW EXCLUSIVE MODE", now;
			if (enabled)
				session << "CREATE INDEX IF NOT EXISTS messages_search ON messages USING GIN (palaver_search_words(text))", now;
			else
				session << "DROP INDEX IF EXISTS messages_search", now;
			return;
		}
		int present = 0;
		session << "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name IN "
			"('messages_search_update', 'messages_search_delete')", into(present), now;
		if (enabled == (present == 2)) return;
		for (const char* trigger: TRIGGERS)
			session << "DROP TRIGGER IF EXISTS " + std::string(trigger), now;
		// Off: an index no longer kept in step must not keep the words of
		// messages deleted meanwhile. On: the indexer fills it again from
		// the first message on, in the background.
		session << "PRAGMA secure_delete = ON", now;
		session << "INSERT INTO messages_search (messages_search) VALUES ('delete-all')", now;
		session << "UPDATE messages_search_state SET indexed_up_to = 0", now;
		if (!enabled) return;

		session << "CREATE TRIGGER messages_search_update AFTER UPDATE OF text, group_id, from_user_id, to_user_id ON messages "
			"WHEN old.id <= " + INDEXED + " BEGIN " + unindex("old") + " " + index("new") + " END", now;
		session << "CREATE TRIGGER messages_search_delete AFTER DELETE ON messages "
			"WHEN old.id <= " + INDEXED + " BEGIN " + unindex("old") + " END", now;
		_logger.information("messages: search index emptied; new and stored messages are indexed in the background");
	});
}

std::string SearchIndex::scopeCondition(const Scope& scope, std::vector<Poco::Int64>& parameters)
{
	std::string condition;
	if (scope.direct && scope.withUser > 0)
	{
		condition = "(group_id = 0 AND user_lo = ? AND user_hi = ?)";
		parameters.push_back(std::min(scope.userId, scope.withUser));
		parameters.push_back(std::max(scope.userId, scope.withUser));
	}
	else if (scope.direct)
	{
		condition = "(group_id = 0 AND (from_user_id = ? OR to_user_id = ?))";
		parameters.push_back(scope.userId);
		parameters.push_back(scope.userId);
	}
	for (const MessageStore::GroupWindow& window: scope.groups)
	{
		condition += condition.empty() ? "(group_id = ? AND id > ?)" : " OR (group_id = ? AND id > ?)";
		parameters.push_back(window.groupId);
		parameters.push_back(window.afterId);
	}
	return "(" + condition + ")";
}

std::string SearchIndex::ownersExpression(const Scope& scope)
{
	std::string expression;
	if (scope.direct)
	{
		const std::string caller = "\"u" + std::to_string(scope.userId) + "\"";
		expression = scope.withUser > 0 ? "(" + caller + " AND \"u" + std::to_string(scope.withUser) + "\")" : caller;
	}
	for (const MessageStore::GroupWindow& window: scope.groups)
		expression += (expression.empty() ? "\"g" : " OR \"g") + std::to_string(window.groupId) + "\"";
	return expression;
}

std::vector<Message> SearchIndex::find(const SearchQuery& query, const Scope& scope, Poco::Int64 beforeId, std::size_t limit)
{
	if (limit == 0 || (!scope.direct && scope.groups.empty())) return {};
	std::vector<Poco::Int64> parameters;
	parameters.push_back(beforeId > 0 ? beforeId : std::numeric_limits<Poco::Int64>::max());
	const std::string scopeSql = scopeCondition(scope, parameters);
	parameters.push_back(static_cast<Poco::Int64>(limit));
	if (_database.kind() == Database::Kind::PostgreSQL)
	{
		return _repository.find("messages WHERE palaver_search_words(text) @@ palaver_search_query(?) AND id < ? AND deleted = 0 AND " +
			scopeSql + " ORDER BY id DESC LIMIT ?", query.plainText(), std::move(parameters));
	}
	// The FTS query finds the caller's messages by their owners; the join
	// then keeps the group messages within their windows.
	const std::string match = "{text}: (" + query.ftsExpression() + ") AND {owners}: (" + ownersExpression(scope) + ")";
	return _repository.find("(SELECT rowid AS hit FROM messages_search WHERE messages_search MATCH ? AND rowid < ?) AS hits "
		"CROSS JOIN messages ON messages.id = hits.hit WHERE deleted = 0 AND " + scopeSql + " ORDER BY hits.hit DESC LIMIT ?",
		match, std::move(parameters));
}

void SearchIndex::deleted()
{
	_pending = true;
}

void SearchIndex::purge()
{
	if (_database.kind() == Database::Kind::PostgreSQL) return;
	Poco::Int64 pages = 0;
	{
		Poco::Data::Session session = _database.session();
		session << "SELECT COUNT(*) FROM messages_search_data", into(pages), now;
	}
	// Each step merges at most PURGE_PAGES pages; new batches add segments
	// meanwhile, so the steps are bounded by twice the index's size.
	const Poco::Int64 maxSteps = 2 * pages / PURGE_PAGES + 2;
	Poco::Int64 steps = 0;
	bool merged = true;
	while (merged && steps++ < maxSteps)
	{
		_database.transact([&](Poco::Data::Session& session)
		{
			session << "PRAGMA secure_delete = ON", now;
			Poco::Int64 before = 0, after = 0;
			session << "SELECT total_changes()", into(before), now;
			session << "INSERT INTO messages_search (messages_search, rank) VALUES ('merge', " + std::to_string(-PURGE_PAGES) + ")", now;
			session << "SELECT total_changes()", into(after), now;
			// SQLite's documented test: fewer than 2 changes, nothing was merged.
			merged = after - before >= 2;
		});
	}
	_logger.debug("messages: search index purged in %Ld steps", steps);
}

bool SearchIndex::indexBatch()
{
	bool more = false;
	_database.transact([&](Poco::Data::Session& session)
	{
		// In the write transaction: no batch of the writer is half
		// committed, and SQLite's ids are committed in order, so every id up
		// to the last one read is there and none below it can come later.
		Poco::Int64 from = 0, upTo = 0, batch = INDEX_BATCH;
		session << "SELECT indexed_up_to FROM messages_search_state", into(from), now;
		session << "SELECT COALESCE(MAX(id), 0) FROM (SELECT id FROM messages WHERE id > ? ORDER BY id LIMIT ?) AS next",
			use(from), use(batch), into(upTo), now;
		if (upTo <= from) return;
		session << "INSERT INTO messages_search (rowid, text, owners) SELECT id, text, " + owners("") +
			" FROM messages WHERE id > ? AND id <= ? AND text <> ''", use(from), use(upTo), now;
		session << "UPDATE messages_search_state SET indexed_up_to = ?", use(upTo), now;
		more = true;
	});
	return more;
}

void SearchIndex::indexNew()
{
	while (!_stopping && indexBatch())
	{
	}
}

void SearchIndex::purgeIfPending()
{
	if (_pending.exchange(false)) purge();
}

void SearchIndex::start()
{
	if (_database.kind() != Database::Kind::SQLite || !_enabled) return;
	_stopping = false;
	_indexer.start();
	_purger.start();
}

void SearchIndex::stop()
{
	_stopping = true;
	_indexer.stop();
	_purger.stop();
	if (_database.kind() != Database::Kind::SQLite) return;
	Failure::logged(_logger, "messages: purging the search index", [this] { purgeIfPending(); });
}

} } // namespace Palaver::Messages
