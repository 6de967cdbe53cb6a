//
// EventBusImpl.h
//

#ifndef Palaver_Server_EventBusImpl_INCLUDED
#define Palaver_Server_EventBusImpl_INCLUDED

#include "palaver/EventBus.h"
#include <Poco/Logger.h>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace Palaver {
namespace Server {

/// In-process, synchronous event bus. Subscriber lists are copy-on-write, so
/// publishing takes a lock only to grab the current list.
class EventBusImpl: public EventBus
{
public:
	explicit EventBusImpl(Poco::Logger& logger);

	SubscriptionId subscribe(const std::string& event, Subscriber subscriber) override;
	void unsubscribe(SubscriptionId id) override;
	void publish(const std::string& event, const Poco::JSON::Object::Ptr& payload) override;

private:
	using Entry = std::pair<SubscriptionId, Subscriber>;
	using List = std::vector<Entry>;

	Poco::Logger& _logger;
	std::mutex _mutex;
	std::map<std::string, std::shared_ptr<const List>> _subscribers;
	SubscriptionId _nextId = 1;
};

} } // namespace Palaver::Server

#endif
