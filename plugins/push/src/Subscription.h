//
// Subscription.h
//

#ifndef Palaver_Push_Subscription_INCLUDED
#define Palaver_Push_Subscription_INCLUDED

#include <Poco/Types.h>
#include <string>

namespace Palaver {
namespace Push {

/// One browser's push subscription (the PushSubscription it sent), tied to
/// the session it was sent with.
struct Subscription
{
	std::string id;         /// public id, random (base64url)
	Poco::Int64 userId = 0;
	std::string sessionId;  /// the session's public id (UserDirectory::sessionId)
	std::string endpoint;   /// the push service's URL for this browser
	std::string p256dh;     /// the browser's P-256 key, base64url as sent
	std::string auth;       /// the browser's auth secret, base64url as sent
};

} } // namespace Palaver::Push

#endif
