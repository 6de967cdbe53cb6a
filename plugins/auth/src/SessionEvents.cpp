#include "SessionEvents.h"
#include "SessionToken.h"
#include "palaver/EventBus.h"
#include "palaver/Events.h"
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

namespace Palaver {
namespace Auth {

void SessionEvents::ended(EventBus& events, Poco::Int64 userId, const std::vector<std::string>& tokenHashes)
{
	if (tokenHashes.empty()) return;
	Poco::JSON::Array::Ptr sessions = new Poco::JSON::Array;
	for (const std::string& hash: tokenHashes) sessions->add(SessionToken::publicId(hash));
	Poco::JSON::Object::Ptr payload = new Poco::JSON::Object;
	payload->set("userId", userId);
	payload->set("sessions", sessions);
	events.publish(Events::SESSION_ENDED, payload);
}

} } // namespace Palaver::Auth
