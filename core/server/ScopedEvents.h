//
// ScopedEvents.h
//

#ifndef Palaver_Server_ScopedEvents_INCLUDED
#define Palaver_Server_ScopedEvents_INCLUDED

#include "palaver/EventBus.h"
#include <memory>
#include <mutex>
#include <set>

namespace Palaver {
namespace Server {

class PluginGate;

/// One plugin's view of the event bus: its subscribers are guarded by the
/// plugin's gate (an event published after the plugin began to stop skips
/// them) and remembered, so that withdraw() unsubscribes exactly these.
/// Thread-safe.
class ScopedEvents: public EventBus
{
public:
	ScopedEvents(EventBus& events, std::shared_ptr<PluginGate> gate);

	SubscriptionId subscribe(const std::string& event, Subscriber subscriber) override;
	void unsubscribe(SubscriptionId id) override;
	void publish(const std::string& event, const Poco::JSON::Object::Ptr& payload) override;

	/// Unsubscribes every subscriber this plugin left.
	void withdraw();

private:
	EventBus& _events;
	const std::shared_ptr<PluginGate> _gate;
	std::mutex _mutex;
	std::set<SubscriptionId> _subscriptions;  /// guarded by _mutex
};

} } // namespace Palaver::Server

#endif
