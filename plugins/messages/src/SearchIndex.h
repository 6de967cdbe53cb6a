//
// SearchIndex.h
//

#ifndef Palaver_Messages_SearchIndex_INCLUDED
#define Palaver_Messages_SearchIndex_INCLUDED

#include "palaver/Message.h"
#include "palaver/PeriodicTask.h"
#include "palaver/services/MessageStore.h"
#include <Poco/Types.h>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace Poco { class Logger; }

namespace Palaver {

class Database;

namespace Messages {

class MessageRepository;
class SearchQuery;

/// The full-text index of the messages table, for GET /search.
///
/// SQLite: the contentless FTS5 table messages_search (tokenizer unicode61
/// with remove_diacritics 2, prefix indexes of 2 and 3 characters, detail
/// column) holds each message's words in column text and its owners in
/// column owners ("u<from> u<to>" for a direct message, "g<group>" for a
/// group's), so that one FTS query finds only the caller's messages. New
/// messages are indexed by a thread of its own ("search-index"), every 200 ms
/// in write transactions of at most 2,000 messages, never in the writer's
/// batch: the delivery path does not wait for the index (docs/PERFORMANCE.md).
/// The table messages_search_state holds the highest id indexed; triggers on
/// the messages table apply edits and deletions of rows up to it in the
/// change's own transaction (newer rows are indexed as they then are). A
/// 'delete' only masks the words; purge() merges the index's segments so
/// that they leave its pages (zeroed: secure_delete), at most purgeDelay
/// after a deletion.
///
/// PostgreSQL: a GIN index on palaver_search_words(text), to_tsvector('simple')
/// of unaccent(text), and palaver_search_query() making every word of the
/// query a prefix (":*"). The index is kept in step by PostgreSQL itself.
///
/// Its schema is the component "message_search" (version 1); the triggers
/// and the indexer (SQLite) or the GIN index (PostgreSQL) come and go with
/// setEnabled().
class SearchIndex
{
public:
	/// Which messages a search looks through: the caller's direct messages
	/// (all of them, or only those with withUser) and those of groups, each
	/// from the message after its window's afterId on.
	struct Scope
	{
		Poco::Int64 userId = 0;
		bool direct = true;
		Poco::Int64 withUser = 0;
		std::vector<MessageStore::GroupWindow> groups;
	};

	/// purgeDelay: how long after a deletion purge() runs at the latest.
	SearchIndex(Database& database, MessageRepository& repository, Poco::Logger& logger, std::chrono::milliseconds purgeDelay);

	/// Creates or upgrades the index's tables and functions.
	void migrate();

	/// On: creates the triggers (SQLite) or the GIN index (PostgreSQL) if
	/// missing; SQLite's index is then emptied and the indexer fills it from
	/// the first message on, in the background. Off: drops them and empties
	/// the index; messages are then stored without indexing and find() must
	/// not be called. Called once at start, before start().
	void setEnabled(bool enabled);

	/// The messages in scope that are not deleted, with an id below beforeId
	/// (0: any) and every word of query at the beginning of one of their
	/// words, case and accents aside; the limit newest, newest first.
	/// HttpError 503 when storage fails.
	std::vector<Message> find(const SearchQuery& query, const Scope& scope, Poco::Int64 beforeId, std::size_t limit);

	/// A message was deleted: its words leave the index pages at the next
	/// purge. Any thread; does not wait.
	void deleted();

	/// Merges the FTS5 index's segments in small write transactions until
	/// one is left (or twice the index's pages were merged while new messages
	/// kept coming), so that the words of deleted messages leave the file.
	/// Nothing on PostgreSQL (VACUUM removes dead index entries).
	void purge();

	/// Indexes the messages stored since the last call (SQLite), in write
	/// transactions of at most 2,000 messages, until none is left or stop()
	/// was called. Called on the indexer's thread.
	void indexNew();

	/// SQLite, when enabled: starts the indexer and the thread that purges
	/// after deletions (every purgeDelay, when there was one).
	void start();

	/// Stops both threads, then purges if a deletion is pending.
	void stop();

private:
	/// Indexes the next messages after the highest indexed id in one write
	/// transaction; false when there were none.
	bool indexBatch();

	/// purge() if a deletion is pending.
	void purgeIfPending();

	/// The SQL condition of scope (with its parameters appended).
	static std::string scopeCondition(const Scope& scope, std::vector<Poco::Int64>& parameters);

	/// The FTS5 expression of the owners in scope ("" when there are none).
	static std::string ownersExpression(const Scope& scope);

	Database& _database;
	MessageRepository& _repository;
	Poco::Logger& _logger;
	bool _enabled = false;
	std::atomic<bool> _pending{false};
	std::atomic<bool> _stopping{false};
	PeriodicTask _purger;
	PeriodicTask _indexer;
};

} } // namespace Palaver::Messages

#endif
