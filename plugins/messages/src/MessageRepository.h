//
// MessageRepository.h
//

#ifndef Palaver_Messages_MessageRepository_INCLUDED
#define Palaver_Messages_MessageRepository_INCLUDED

#include "ChatPartners.h"
#include "palaver/Message.h"
#include "palaver/MessageUpdate.h"
#include "palaver/services/MessageStore.h"
#include <Poco/Types.h>
#include <Poco/Data/Session.h>
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace Poco { class Logger; }

namespace Palaver {

class Database;

namespace Messages {

/// The messages table: its schema and every statement on it.
///
/// Besides the sender and receiver, each row keeps its conversation as
/// (user_lo, user_hi) = (min, max) of the two users, so that one index range
/// (user_lo, user_hi, id, from_user_id) reads a conversation in id order in
/// both directions, paging ("the N newest before ID") stops after N rows,
/// and unread counts are read without the table. Indexes on (from_user_id,
/// id) and (to_user_id, id) serve the per-user replay of since(). A user's
/// chats are listed from ChatPartners' table, written once per new chat:
/// every index keyed by the conversation costs the writer a page per message
/// (issue 14), so there is only the one.
///
/// A change (edit, deletion) takes the next value of the sequence the ids
/// come from and stores it as the row's event_id (0: never changed). Partial
/// indexes on (from_user_id, event_id) and (to_user_id, event_id) hold only
/// changed rows, so that an insert never touches them and eventsSince()
/// reads a user's changes in event order.
///
/// A message to a group has to_user_id, user_lo and user_hi 0 and its
/// group_id: the index (group_id, id) reads a group's messages in id order.
class MessageRepository
{
public:
	MessageRepository(Database& database, Poco::Logger& logger);

	/// The migration steps of the "messages" component.
	static std::vector<std::vector<std::string>> schema(const Database& database);

	/// Creates or upgrades the table.
	void migrate();

	/// Inserts the whole batch in ONE transaction and sets every id (in the
	/// batch's order). Throws (HttpError 503 for storage failures) with nothing
	/// stored when any insert or the commit fails.
	void insert(std::vector<Message*>& batch);

	/// The sender's name of every message userId sent becomes "" (shown as
	/// "fromUserName": null): the account was deleted.
	void forgetSenderName(Poco::Int64 userId);

	/// Reads throw HttpError 503 when the store fails.

	/// Messages between a and b (either direction; a == b is the conversation
	/// with oneself), oldest first: the limit newest of those with an id
	/// below beforeId (0: any); limit 0: all of them, at once.
	std::vector<Message> conversation(Poco::Int64 a, Poco::Int64 b, Poco::Int64 beforeId, std::size_t limit);

	/// The same conversation's oldest limit messages with an id above
	/// afterId and below beforeId (0: any), oldest first: a long history is
	/// read page by page with it.
	std::vector<Message> conversationRange(Poco::Int64 a, Poco::Int64 b, Poco::Int64 afterId, Poco::Int64 beforeId, std::size_t limit);

	/// Messages sent or received by userId with an id above sinceId, oldest
	/// first, at most limit of them.
	std::vector<Message> since(Poco::Int64 userId, Poco::Int64 sinceId, std::size_t limit);

	/// Decides a change from a message's current state: changes message (its
	/// text, editedAt, deleted) and returns true, returns false to leave it
	/// as it is, or throws HttpError to refuse.
	using Decide = std::function<bool(Message& message)>;

	/// In ONE transaction: reads message messageId (HttpError 404 when there
	/// is none), lets decide change it, and when it did, draws the next event
	/// id and writes the row. Returns the message as it now is, with that
	/// event id (0 when decide changed nothing). Storage failures: HttpError 503.
	MessageUpdate change(Poco::Int64 messageId, const Decide& decide);

	/// MessageStore::eventsSince(): since()'s messages keyed by their ids and
	/// the latest changes of older ones keyed by their event ids, merged in
	/// one statement; then the same for the groups' windows (one statement per
	/// 200 groups), at most limit in all, in event order.
	std::vector<MessageUpdate> eventsSince(Poco::Int64 userId, const std::vector<MessageStore::GroupWindow>& groups,
		Poco::Int64 sinceId, std::size_t limit);

	/// Messages of a group with afterId < id < beforeId (0: any), oldest
	/// first: the limit newest of them (limit 0: all).
	std::vector<Message> groupMessages(Poco::Int64 groupId, Poco::Int64 afterId, Poco::Int64 beforeId, std::size_t limit);

	/// The same, the limit oldest of them: a long group history is read page
	/// by page with it.
	std::vector<Message> groupRange(Poco::Int64 groupId, Poco::Int64 afterId, Poco::Int64 beforeId, std::size_t limit);

	/// The highest id stored, 0 when none.
	Poco::Int64 lastId();

	/// The direct chats of userId: (the other user, the chat's highest id).
	/// One statement: a range of chat_partners and one index seek per chat,
	/// whatever the number of messages.
	std::vector<std::pair<Poco::Int64, Poco::Int64>> directChats(Poco::Int64 userId);

	/// The messages with these ids (those that exist), in id order; one statement.
	std::vector<Message> byIds(const std::vector<Poco::Int64>& ids);

	/// For each other user of readUpTo (other -> read cursor): how many
	/// messages they sent reader after the cursor; one statement.
	std::map<Poco::Int64, Poco::Int64> unreadFrom(Poco::Int64 reader, const std::map<Poco::Int64, Poco::Int64>& readUpTo);

	/// Messages of the group with an id above afterId that others than userId sent.
	Poco::Int64 countInGroupNotFrom(Poco::Int64 groupId, Poco::Int64 userId, Poco::Int64 afterId);

	/// The messages "SELECT <the message columns> FROM " + from finds, text
	/// bound to its first "?" and parameters to the others in order (for
	/// SearchIndex, whose statements depend on the database).
	std::vector<Message> find(const std::string& from, std::string text, std::vector<Poco::Int64> parameters);

private:
	/// eventsSince() for count group windows, at most max events.
	std::vector<MessageUpdate> groupEventsSince(const MessageStore::GroupWindow* windows, std::size_t count, Poco::Int64 sinceId, Poco::Int64 max);

	/// Runs sql (with "?" placeholders) with these Int64 parameters, its
	/// results bound by results, turning storage failures into HttpError 503
	/// (what names the read in the log).
	void query(const char* what, const std::string& sql, std::vector<Poco::Int64> parameters,
		const std::function<void(Poco::Data::Statement&)>& results);

	/// One integer a query with these Int64 parameters gives.
	Poco::Int64 scalar(const char* what, const std::string& sql, std::vector<Poco::Int64> parameters);

	/// The rows of two integer columns such a query gives.
	std::vector<std::pair<Poco::Int64, Poco::Int64>> pairs(const char* what, const std::string& sql, std::vector<Poco::Int64> parameters);

	Database& _database;
	Poco::Logger& _logger;
	ChatPartners _partners;   /// written by insert(), on the writer thread
	std::string _insertPrefix;
	std::string _insert;
	struct Rows;
	/// Runs a SELECT of COLUMNS with these "?" values in order (after text,
	/// when given), turning storage failures into HttpError 503 (what names
	/// the read in the log).
	Rows select(const std::string& sql, std::vector<Poco::Int64> parameters, const char* what, std::string* text = nullptr);

	std::string _conversationRange;
	std::string _conversationPage;
	std::string _since;
	std::string _byId;
	std::string _nextEventId;
	std::string _update;
	std::string _eventsSince;
	std::string _groupRange;
	std::string _groupPage;
};

} } // namespace Palaver::Messages

#endif
