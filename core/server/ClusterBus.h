//
// ClusterBus.h
//
// [cluster] bus = redis://HOST:PORT: the local EventBus's cluster events go to
// a Redis channel, and the other nodes' events come back from it.
//

#ifndef Palaver_Server_ClusterBus_INCLUDED
#define Palaver_Server_ClusterBus_INCLUDED

#include "palaver/EventBus.h"
#include <Poco/JSON/Object.h>
#include <Poco/Logger.h>
#include <Poco/Util/AbstractConfiguration.h>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace Palaver {

class Counter;
class Gauge;
class Metrics;

namespace Server {

/// Bridges the local EventBus and a Redis publish/subscribe channel.
///
/// Every event named in [cluster] events that is published on this node goes,
/// as {"node":ID,"event":NAME,"payload":{...}}, to the channel (by a publisher
/// thread, through a bounded queue: publishing never blocks the EventBus). A
/// subscriber thread reads the channel and publishes the other nodes' events
/// on the local EventBus with "_origin": their node id added to the payload,
/// which tells the bridge not to send them out again and tells subscribers
/// that the event happened elsewhere. A node skips its own events coming back.
///
/// The bus only carries live notifications: when Redis cannot be reached,
/// local delivery goes on, events for other nodes are dropped (and counted),
/// and both threads reconnect with back-off. After every (re)subscription the
/// bridge publishes Events::CLUSTER_NODE_UP locally (and so to the others), so that
/// plugins can announce their state again; and Events::CLUSTER_HEARTBEAT locally at
/// a steady pace while subscribed.
class ClusterBus
{
public:
	/// The marker of an event that came from another node.
	static const std::string ORIGIN;

	/// Reads [cluster]; throws Poco::InvalidArgumentException for a bad bus.
	ClusterBus(const Poco::Util::AbstractConfiguration& config, EventBus& events, Metrics& metrics, Poco::Logger& logger);
	~ClusterBus();

	/// True when [cluster] bus names a Redis server (not "local").
	static bool configured(const Poco::Util::AbstractConfiguration& config);

	/// Subscribes to the local events and starts both threads.
	void start();

	/// Stops both threads (within about a second) and unsubscribes.
	void stop();

	const std::string& nodeId() const { return _nodeId; }

private:
	struct Endpoint
	{
		std::string host;
		Poco::UInt16 port = 6379;
	};

	static Endpoint parseBus(const std::string& bus);
	void onLocalEvent(const std::string& event, const Poco::JSON::Object::Ptr& payload);
	void publisherLoop();
	void subscriberLoop();
	void subscribeOnce(long& backoffMs);
	void deliver(const std::string& text);
	bool waitBackoff(long& backoffMs);

	EventBus& _events;
	Poco::Logger& _logger;
	Endpoint _endpoint;
	std::string _nodeId;
	std::string _ownPrefix;  // how every envelope this node publishes begins
	std::string _channel;
	std::vector<std::string> _eventNames;
	std::size_t _queueMax;
	long _backoffMaxMs;
	Poco::Int64 _heartbeatUs;

	Counter& _published;
	Counter& _received;
	Counter& _dropped;
	Gauge& _connected;

	std::mutex _mutex;
	std::condition_variable _wake;
	std::deque<std::string> _queue;
	std::atomic<bool> _running{false};
	std::vector<EventBus::SubscriptionId> _subscriptions;
	std::thread _publisher;
	std::thread _subscriber;
};

} } // namespace Palaver::Server

#endif
