#include "ReadCursors.h"
#include "palaver/Database.h"
#include "palaver/HttpError.h"
#include <Poco/Data/Session.h>
#include <Poco/Logger.h>

using namespace Poco::Data::Keywords;

namespace Palaver {
namespace Messages {

ReadCursors::ReadCursors(Database& database, Poco::Logger& logger):
	_database(database),
	_logger(logger)
{
}

void ReadCursors::migrate()
{
	_database.migrate("message_reads", {
		{
			"CREATE TABLE read_cursors ("
				"user_id BIGINT NOT NULL, "
				"other_id BIGINT NOT NULL, "
				"up_to BIGINT NOT NULL, "
				"PRIMARY KEY (user_id, other_id))"
		}
	});
}

bool ReadCursors::advance(Poco::Int64 reader, Poco::Int64 other, Poco::Int64 upTo)
{
	bool moved = false;
	_database.transact([&](Poco::Data::Session& session)
	{
		Poco::Int64 user = reader;
		Poco::Int64 with = other;
		Poco::Int64 to = upTo;
		std::vector<Poco::Int64> current;
		session << _database.sql("SELECT up_to FROM read_cursors WHERE user_id = ? AND other_id = ?"), use(user), use(with), into(current), now;
		if (!current.empty() && current.front() >= to) return;
		if (current.empty())
			session << _database.sql("INSERT INTO read_cursors (user_id, other_id, up_to) VALUES (?, ?, ?)"), use(user), use(with), use(to), now;
		else
			session << _database.sql("UPDATE read_cursors SET up_to = ? WHERE user_id = ? AND other_id = ?"), use(to), use(user), use(with), now;
		moved = true;
	});
	return moved;
}

std::map<Poco::Int64, Poco::Int64> ReadCursors::of(Poco::Int64 reader)
{
	std::vector<Poco::Int64> others, upTo;
	try
	{
		Poco::Data::Session session = _database.session();
		Poco::Int64 user = reader;
		session << _database.sql("SELECT other_id, up_to FROM read_cursors WHERE user_id = ?"), use(user), into(others), into(upTo), now;
	}
	catch (HttpError&)
	{
		throw;
	}
	catch (Poco::Exception& e)
	{
		_logger.error("messages: reading read cursors failed: %s", e.displayText());
		throw HttpError::unavailable();
	}
	std::map<Poco::Int64, Poco::Int64> cursors;
	for (std::size_t i = 0; i < others.size(); ++i) cursors[others[i]] = upTo[i];
	return cursors;
}

} } // namespace Palaver::Messages
