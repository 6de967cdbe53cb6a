//
// EventBus.h
//

#ifndef Palaver_EventBus_INCLUDED
#define Palaver_EventBus_INCLUDED

#include <Poco/JSON/Object.h>
#include <functional>
#include <string>

namespace Palaver {

/// Named events with JSON payloads, from one plugin to any others.
///
/// Delivery is synchronous: publish() calls every subscriber of the event on
/// the publisher's thread, in subscription order, before it returns. So a
/// subscriber must be quick and must not block (hand heavy work to a thread of
/// its own). An exception from a subscriber is logged and does not reach the
/// publisher or the other subscribers.
///
/// The events of the core and the shipped plugins, and their payloads, are
/// named in palaver/Events.h (Events::MESSAGE_STORED, ...): use those constants.
class EventBus
{
public:
	using Subscriber = std::function<void(const std::string& event, const Poco::JSON::Object::Ptr& payload)>;
	using SubscriptionId = unsigned long;

	virtual ~EventBus() = default;

	virtual SubscriptionId subscribe(const std::string& event, Subscriber subscriber) = 0;
	virtual void unsubscribe(SubscriptionId id) = 0;

	/// The payload is shared with every subscriber: nobody may change it.
	virtual void publish(const std::string& event, const Poco::JSON::Object::Ptr& payload) = 0;
};

} // namespace Palaver

#endif
