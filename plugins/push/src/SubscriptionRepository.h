//
// SubscriptionRepository.h
//

#ifndef Palaver_Push_SubscriptionRepository_INCLUDED
#define Palaver_Push_SubscriptionRepository_INCLUDED

#include "Subscription.h"
#include <string>
#include <vector>

namespace Palaver {

class Database;

namespace Push {

/// The table push_subscriptions (migrated as component "push"): one row per
/// subscription, its endpoint unique (a browser that subscribes again
/// replaces its row). Every method may be called from any thread; storage
/// failures are thrown as HttpError 503 (Database's).
class SubscriptionRepository
{
public:
	explicit SubscriptionRepository(Database& database);

	/// Creates or updates the plugin's tables: push_subscriptions, and
	/// push_vapid_key (VapidKeyStore's).
	void migrate();

	/// Stores subscription, replacing any row with its endpoint; false (and
	/// nothing stored) when its user has maxPerUser others already.
	bool add(const Subscription& subscription, std::size_t maxPerUser);

	std::vector<Subscription> ofUser(Poco::Int64 userId);

	/// Removes the user's subscription id; false when the user has none of that id.
	bool remove(Poco::Int64 userId, const std::string& id);

	/// Removes a subscription the push service no longer knows (404, 410).
	void removeById(const std::string& id);

	/// Removes the subscriptions of the sessions that ended.
	void removeSessions(Poco::Int64 userId, const std::vector<std::string>& sessionIds);

	/// Removes every subscription of a deleted user.
	void removeUser(Poco::Int64 userId);

private:
	Database& _database;
};

} } // namespace Palaver::Push

#endif
