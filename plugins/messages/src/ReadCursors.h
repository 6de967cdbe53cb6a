//
// ReadCursors.h
//

#ifndef Palaver_Messages_ReadCursors_INCLUDED
#define Palaver_Messages_ReadCursors_INCLUDED

#include <Poco/Types.h>
#include <map>
#include <string>
#include <vector>

namespace Poco { class Logger; }

namespace Palaver {

class Database;

namespace Messages {

/// How far each user has read each direct chat: the table read_cursors
/// (component "message_reads", apart from the messages table's steps), one
/// row per (reader, other user), moved only forward. Storage failures become
/// HttpError 503.
class ReadCursors
{
public:
	ReadCursors(Database& database, Poco::Logger& logger);

	void migrate();

	/// Moves reader's cursor in the chat with other forward to upTo; false
	/// when it was there or further already.
	bool advance(Poco::Int64 reader, Poco::Int64 other, Poco::Int64 upTo);

	/// Every cursor of reader: other user -> read up to.
	std::map<Poco::Int64, Poco::Int64> of(Poco::Int64 reader);

private:
	Database& _database;
	Poco::Logger& _logger;
};

} } // namespace Palaver::Messages

#endif
