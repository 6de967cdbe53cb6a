//
// PushRoutes.h
//

#ifndef Palaver_Push_PushRoutes_INCLUDED
#define Palaver_Push_PushRoutes_INCLUDED

#include "EndpointGuard.h"
#include "SubscriptionRepository.h"
#include "VapidKey.h"
#include "palaver/services/UserDirectory.h"
#include <memory>

namespace Palaver {

class OriginPolicy;
class Request;
class Response;
class Router;

namespace Push {

/// PROTOCOL.md Part 2 "Web Push": GET /push/key (public), POST
/// /push/subscriptions and DELETE /push/subscriptions/{id} (the caller's
/// own). Handlers run on the core's HTTP workers.
class PushRoutes
{
public:
	PushRoutes(SubscriptionRepository& repository, const VapidKey& key, const EndpointGuard& guard,
		std::shared_ptr<UserDirectory> users, const OriginPolicy& origins, std::size_t maxPerUser);

	void registerWith(Router& router);

private:
	void key(Request& request, Response& response);
	void subscribe(Request& request, Response& response);
	void unsubscribe(Request& request, Response& response);

	/// The session token the request was authenticated with (Bearer or the
	/// session cookie, as the auth plugin reads them).
	std::string sessionToken(const Request& request) const;

	SubscriptionRepository& _repository;
	const VapidKey& _key;
	const EndpointGuard& _guard;
	std::shared_ptr<UserDirectory> _users;
	const OriginPolicy& _origins;
	const std::size_t _maxPerUser;
};

} } // namespace Palaver::Push

#endif
