//
// ChatPartners.h
//

#ifndef Palaver_Messages_ChatPartners_INCLUDED
#define Palaver_Messages_ChatPartners_INCLUDED

#include "palaver/Message.h"
#include <Poco/Types.h>
#include <Poco/Data/Session.h>
#include <cstddef>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace Palaver {

class Database;

namespace Messages {

/// The chat_partners table: one row (user_id, partner_id) per user and each
/// user they have a direct chat with (both directions; one row for the chat
/// with oneself). The chat list reads a user's partners from it in one
/// range, where an index of the messages on (user_hi, user_lo) took an entry
/// per message at a random place: with thousands of conversations that was
/// one more page written to the WAL per message (issue 14).
///
/// The message writer adds the pairs of each batch in the batch's
/// transaction. Pairs known to be stored already (a bounded set, filled
/// after a commit) are not written again, so that a batch of messages in
/// chats that exist writes nothing here.
///
/// Not thread-safe: add() and committed() are called on the message writer
/// thread only.
class ChatPartners
{
public:
	/// Most pairs remembered as stored; past it the set starts over (the
	/// pairs are then written again, which changes nothing).
	static const std::size_t MAX_REMEMBERED = 200000;

	explicit ChatPartners(Database& database);

	/// The statements of the migration step that creates the table and fills
	/// it from the messages stored so far.
	static std::vector<std::string> createStatements(const Database& database);

	/// Adds the partners of batch's direct messages not known to be stored,
	/// in session's open transaction; remembers them for committed().
	void add(Poco::Data::Session& session, const std::vector<Message*>& batch);

	/// The transaction of the last add() committed: its pairs are stored.
	void committed();

	/// The transaction of the last add() failed: its pairs are not stored.
	void rolledBack();

private:
	using Pair = std::pair<Poco::Int64, Poco::Int64>;

	Database& _database;
	std::set<Pair> _stored;   /// (user_lo, user_hi) of chats whose rows are stored
	std::vector<Pair> _adding; /// written in the open transaction
};

} } // namespace Palaver::Messages

#endif
