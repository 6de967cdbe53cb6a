//
// Runtime.h
//
// What the handler, the dispatcher, the hub and the bus events share:
// settings, services, metrics, the worker pool.
//

#ifndef Palaver_Ws_Runtime_INCLUDED
#define Palaver_Ws_Runtime_INCLUDED

#include "FrameRegistry.h"
#include "Hub.h"
#include "Settings.h"
#include "palaver/Events.h"
#include "palaver/WorkerPool.h"
#include "palaver/Counter.h"
#include "palaver/EventBus.h"
#include "palaver/Gauge.h"
#include "palaver/ServiceRegistry.h"
#include "palaver/services/GroupDirectory.h"
#include "palaver/services/MessageStore.h"
#include "palaver/services/UserDirectory.h"
#include <Poco/Logger.h>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_set>

namespace Palaver {

class OriginPolicy;

namespace Ws {

/// Always made with std::make_shared: a postAsync() callback keeps it
/// alive (shared_from_this) until the message store calls it.
class Runtime: public std::enable_shared_from_this<Runtime>
{
public:
	Runtime(const Settings& settings, Poco::Logger& logger, const OriginPolicy& origins,
		Counter& framesIn, Counter& framesOut, Gauge& connections,
		std::shared_ptr<UserDirectory> directory, std::shared_ptr<MessageStore> store):
		settings(settings),
		logger(logger),
		origins(origins),
		framesIn(framesIn),
		framesOut(framesOut),
		connections(connections),
		directory(std::move(directory)),
		store(std::move(store)),
		hub(settings, framesOut),
		workers(static_cast<std::size_t>(settings.workers), settings.workerQueue, "ws-worker")
	{
	}

	/// A frame for one user's connections, wherever they are: published as a
	/// "ws.deliver" event ({"userId", "frame"}) that BusEvents::onPush delivers on
	/// this node and [cluster] carries to the others. Without an event bus,
	/// straight to the hub.
	void push(Poco::Int64 userId, const std::string& frame)
	{
		if (!events)
		{
			hub.pushToUser(userId, frame);
			return;
		}
		Poco::JSON::Object::Ptr payload = new Poco::JSON::Object;
		payload->set("userId", userId);
		payload->set("frame", frame);
		events->publish(Events::WS_DELIVER, payload);
	}

	const Settings settings;
	Poco::Logger& logger;
	const OriginPolicy& origins;
	Counter& framesIn;
	Counter& framesOut;
	Gauge& connections;
	const std::shared_ptr<UserDirectory> directory;
	const std::shared_ptr<MessageStore> store;
	/// Client frames other plugins handle (the ClientFrames service).
	const std::shared_ptr<FrameRegistry> frames = std::make_shared<FrameRegistry>();
	Hub hub;
	Palaver::WorkerPool workers;
	EventBus* events = nullptr;  /// set by WsPlugin before palaverd serves
	const ServiceRegistry* services = nullptr;  /// set by WsPlugin before palaverd serves

	/// The groups plugin's directory, when it is loaded: looked up when
	/// needed, as that plugin starts after this one.
	std::shared_ptr<GroupDirectory> groupDirectory() const
	{
		return services ? services->find<GroupDirectory>() : nullptr;
	}

	/// A receiver the message store has accepted a message for: a chatmsg
	/// to it can be queued on the I/O thread (Dispatcher). Any thread.
	bool knowsUser(Poco::Int64 userId) const
	{
		std::lock_guard<std::mutex> lock(_knownMutex);
		return _knownUsers.count(userId) != 0;
	}

	void learnUser(Poco::Int64 userId)
	{
		std::lock_guard<std::mutex> lock(_knownMutex);
		if (_knownUsers.size() < MAX_KNOWN_USERS) _knownUsers.insert(userId);
	}

	/// Held by every postAsync() callback (this library's code, kept by the
	/// message store): waitStored() waits until no copy is left.
	std::shared_ptr<void> storeTicket() const { return _storing; }

	/// In stop(): waits (at most timeoutMs) until the message store has
	/// called and dropped every callback, so that the plugin can be unloaded.
	bool waitStored(int timeoutMs) const
	{
		for (int waited = 0; _storing.use_count() > 1; waited += 2)
		{
			if (waited >= timeoutMs) return false;
			std::this_thread::sleep_for(std::chrono::milliseconds(2));
		}
		return true;
	}

private:
	static constexpr std::size_t MAX_KNOWN_USERS = 100000;  /// then: via a worker

	mutable std::mutex _knownMutex;
	std::unordered_set<Poco::Int64> _knownUsers;
	const std::shared_ptr<void> _storing = std::make_shared<int>(0);
};

} } // namespace Palaver::Ws

#endif
