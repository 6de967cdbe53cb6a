#include "ChatPartners.h"
#include "palaver/Database.h"
#include <algorithm>

using namespace Poco::Data::Keywords;

namespace Palaver {
namespace Messages {

namespace {

// Rows per INSERT: two placeholders each, far below SQLite's and
// PostgreSQL's limits on parameters.
const std::size_t ROWS_PER_INSERT = 250;

} // namespace

ChatPartners::ChatPartners(Database& database):
	_database(database)
{
}

std::vector<std::string> ChatPartners::createStatements(const Database& database)
{
	// SQLite: the rows in the primary key's B-tree itself, no second copy.
	const std::string withoutRowId = database.kind() == Database::Kind::SQLite ? " WITHOUT ROWID" : "";
	return {
		"CREATE TABLE chat_partners ("
			"user_id BIGINT NOT NULL, "
			"partner_id BIGINT NOT NULL, "
			"PRIMARY KEY (user_id, partner_id))" + withoutRowId,
		// Group messages have user_lo = user_hi = 0: no user's.
		"INSERT INTO chat_partners (user_id, partner_id) "
			"SELECT DISTINCT user_lo, user_hi FROM messages WHERE group_id = 0",
		"INSERT INTO chat_partners (user_id, partner_id) "
			"SELECT DISTINCT user_hi, user_lo FROM messages WHERE group_id = 0 AND user_lo <> user_hi"
	};
}

void ChatPartners::add(Poco::Data::Session& session, const std::vector<Message*>& batch)
{
	_adding.clear();
	for (const Message* message: batch)
	{
		if (message->groupId > 0) continue;
		const Pair pair(std::min(message->fromUserId, message->toUserId), std::max(message->fromUserId, message->toUserId));
		if (_stored.count(pair) == 0) _adding.push_back(pair);
	}
	std::sort(_adding.begin(), _adding.end());
	_adding.erase(std::unique(_adding.begin(), _adding.end()), _adding.end());

	// (user, partner) rows: both directions, once for the chat with oneself.
	std::vector<Poco::Int64> rows;
	rows.reserve(4 * _adding.size());
	for (const Pair& pair: _adding)
	{
		rows.insert(rows.end(), {pair.first, pair.second});
		if (pair.first != pair.second) rows.insert(rows.end(), {pair.second, pair.first});
	}
	// One statement per chunk, each executed once (see MessageRepository::insert()
	// on Poco's PostgreSQL statements executed again).
	for (std::size_t first = 0; first < rows.size(); first += 2 * ROWS_PER_INSERT)
	{
		const std::size_t end = std::min(rows.size(), first + 2 * ROWS_PER_INSERT);
		std::string sql = "INSERT INTO chat_partners (user_id, partner_id) VALUES ";
		for (std::size_t i = first; i < end; i += 2)
			sql += i == first ? "(?, ?)" : ", (?, ?)";
		sql += " ON CONFLICT DO NOTHING";
		Poco::Data::Statement statement(session);
		statement << _database.sql(sql);
		for (std::size_t i = first; i < end; ++i) statement, use(rows[i]);
		statement.execute();
	}
}

void ChatPartners::committed()
{
	if (_stored.size() + _adding.size() > MAX_REMEMBERED) _stored.clear();
	_stored.insert(_adding.begin(), _adding.end());
	_adding.clear();
}

void ChatPartners::rolledBack()
{
	_adding.clear();
}

} } // namespace Palaver::Messages
