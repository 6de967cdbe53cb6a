//
// MessageRepository.h
//

#ifndef Palaver_Messages_MessageRepository_INCLUDED
#define Palaver_Messages_MessageRepository_INCLUDED

#include "palaver/Message.h"
#include "palaver/services/MessageStore.h"
#include <Poco/Types.h>
#include <Poco/Data/Session.h>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace Poco { class Logger; }

namespace Palaver {

class Database;

namespace Messages {

/// The messages table: its schema and every statement on it.
///
/// Besides the sender and receiver, each row keeps its conversation as
/// (user_lo, user_hi) = (min, max) of the two users, so that one index range
/// (user_lo, user_hi, id) reads a conversation in id order in both directions,
/// and paging ("the N newest before ID") stops after N rows. Indexes on
/// (from_user_id, id) and (to_user_id, id) serve the per-user replay of since().
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

	/// Messages of a group with afterId < id < beforeId (0: any), oldest
	/// first: the limit newest of them (limit 0: all).
	std::vector<Message> groupMessages(Poco::Int64 groupId, Poco::Int64 afterId, Poco::Int64 beforeId, std::size_t limit);

	/// Messages of the groups, each above its window's afterId and above
	/// sinceId, oldest first, at most limit of them.
	std::vector<Message> sinceInGroups(const std::vector<MessageStore::GroupWindow>& groups, Poco::Int64 sinceId, std::size_t limit);

	/// The highest id stored, 0 when none.
	Poco::Int64 lastId();

	/// The direct chats of userId: (the other user, the chat's highest id).
	std::vector<std::pair<Poco::Int64, Poco::Int64>> directChats(Poco::Int64 userId);

	/// Messages from `from` to `to` with an id above afterId.
	Poco::Int64 countFrom(Poco::Int64 from, Poco::Int64 to, Poco::Int64 afterId);

	/// Messages of the group with an id above afterId that others than userId sent.
	Poco::Int64 countInGroupNotFrom(Poco::Int64 groupId, Poco::Int64 userId, Poco::Int64 afterId);

private:
	/// One integer a query with these Int64 parameters gives (what names it in the log).
	Poco::Int64 scalar(const char* what, const std::string& sql, std::vector<Poco::Int64> parameters);

	Database& _database;
	Poco::Logger& _logger;
	std::string _insertPrefix;
	std::string _insert;
	struct Rows;
	/// Runs query (which fills rows), turning storage failures into HttpError 503.
	std::vector<Message> read(const std::function<void(Poco::Data::Session&, Rows&)>& query, bool reversed);

	std::string _conversationRange;
	std::string _conversationPage;
	std::string _since;
	std::string _groupRange;
	std::string _groupPage;
};

} } // namespace Palaver::Messages

#endif
