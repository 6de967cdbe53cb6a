#include "ScopedEvents.h"
#include "PluginGate.h"

namespace Palaver {
namespace Server {

ScopedEvents::ScopedEvents(EventBus& events, std::shared_ptr<PluginGate> gate):
	_events(events),
	_gate(std::move(gate))
{
}

EventBus::SubscriptionId ScopedEvents::subscribe(const std::string& event, Subscriber subscriber)
{
	Subscriber skipped = [](const std::string&, const Poco::JSON::Object::Ptr&) {};
	const SubscriptionId id = _events.subscribe(event, _gate->guard(std::move(subscriber), std::move(skipped)));
	std::lock_guard<std::mutex> lock(_mutex);
	_subscriptions.insert(id);
	return id;
}

void ScopedEvents::unsubscribe(SubscriptionId id)
{
	_events.unsubscribe(id);
	std::lock_guard<std::mutex> lock(_mutex);
	_subscriptions.erase(id);
}

void ScopedEvents::publish(const std::string& event, const Poco::JSON::Object::Ptr& payload)
{
	_events.publish(event, payload);
}

void ScopedEvents::withdraw()
{
	std::lock_guard<std::mutex> lock(_mutex);
	for (const SubscriptionId id: _subscriptions) _events.unsubscribe(id);
	_subscriptions.clear();
}

} } // namespace Palaver::Server
