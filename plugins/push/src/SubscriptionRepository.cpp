#include "SubscriptionRepository.h"
#include "palaver/Database.h"
#include <Poco/Data/Statement.h>
#include <Poco/Timestamp.h>

using namespace Poco::Data::Keywords;

namespace Palaver {
namespace Push {

SubscriptionRepository::SubscriptionRepository(Database& database):
	_database(database)
{
}

void SubscriptionRepository::migrate()
{
	_database.migrate("push", {
		{
			"CREATE TABLE push_subscriptions ("
				"id VARCHAR(32) PRIMARY KEY, "
				"user_id BIGINT NOT NULL, "
				"session_id VARCHAR(128) NOT NULL, "
				"endpoint TEXT NOT NULL UNIQUE, "
				"p256dh VARCHAR(128) NOT NULL, "
				"auth VARCHAR(64) NOT NULL, "
				"created_at BIGINT NOT NULL)",
			"CREATE INDEX push_subscriptions_user ON push_subscriptions (user_id, session_id)"
		},
		{
			// VapidKeyStore's: the one key pair of every node (id always 1).
			"CREATE TABLE push_vapid_key ("
				"id INTEGER PRIMARY KEY, "
				"private_key TEXT NOT NULL, "
				"created_at BIGINT NOT NULL)"
		}
	});
}

bool SubscriptionRepository::add(const Subscription& subscription, std::size_t maxPerUser)
{
	bool added = false;
	_database.transact([&](Poco::Data::Session& session)
	{
		Subscription row = subscription;
		session << _database.sql("DELETE FROM push_subscriptions WHERE endpoint = ?"), use(row.endpoint), now;
		Poco::Int64 count = 0;
		session << _database.sql("SELECT COUNT(*) FROM push_subscriptions WHERE user_id = ?"), use(row.userId), into(count), now;
		if (count >= static_cast<Poco::Int64>(maxPerUser)) return;
		Poco::Int64 createdAt = Poco::Timestamp().epochMicroseconds();
		session << _database.sql("INSERT INTO push_subscriptions (id, user_id, session_id, endpoint, p256dh, auth, created_at) "
			"VALUES (?, ?, ?, ?, ?, ?, ?)"),
			use(row.id), use(row.userId), use(row.sessionId), use(row.endpoint), use(row.p256dh), use(row.auth), use(createdAt), now;
		added = true;
	});
	return added;
}

std::vector<Subscription> SubscriptionRepository::ofUser(Poco::Int64 userId)
{
	std::vector<std::string> ids, sessionIds, endpoints, keys, secrets;
	Poco::Data::Session session = _database.session();
	session << _database.sql("SELECT id, session_id, endpoint, p256dh, auth FROM push_subscriptions WHERE user_id = ? ORDER BY created_at"),
		use(userId), into(ids), into(sessionIds), into(endpoints), into(keys), into(secrets), now;
	std::vector<Subscription> result(ids.size());
	for (std::size_t i = 0; i < ids.size(); ++i)
	{
		result[i].id = ids[i];
		result[i].userId = userId;
		result[i].sessionId = sessionIds[i];
		result[i].endpoint = endpoints[i];
		result[i].p256dh = keys[i];
		result[i].auth = secrets[i];
	}
	return result;
}

bool SubscriptionRepository::remove(Poco::Int64 userId, const std::string& id)
{
	std::size_t removed = 0;
	_database.transact([&](Poco::Data::Session& session)
	{
		std::string key = id;
		Poco::Data::Statement statement(session);
		statement << _database.sql("DELETE FROM push_subscriptions WHERE id = ? AND user_id = ?"), use(key), use(userId);
		removed = statement.execute();
	});
	return removed > 0;
}

void SubscriptionRepository::removeById(const std::string& id)
{
	_database.transact([&](Poco::Data::Session& session)
	{
		std::string key = id;
		session << _database.sql("DELETE FROM push_subscriptions WHERE id = ?"), use(key), now;
	});
}

void SubscriptionRepository::removeSessions(Poco::Int64 userId, const std::vector<std::string>& sessionIds)
{
	_database.transact([&](Poco::Data::Session& session)
	{
		for (std::string sessionId: sessionIds)
		{
			session << _database.sql("DELETE FROM push_subscriptions WHERE user_id = ? AND session_id = ?"), use(userId), use(sessionId), now;
		}
	});
}

void SubscriptionRepository::removeUser(Poco::Int64 userId)
{
	_database.transact([&](Poco::Data::Session& session)
	{
		session << _database.sql("DELETE FROM push_subscriptions WHERE user_id = ?"), use(userId), now;
	});
}

} } // namespace Palaver::Push
