#include "EventBusImpl.h"
#include "palaver/Failure.h"
#include <Poco/Exception.h>
#include <algorithm>

namespace Palaver {
namespace Server {

EventBusImpl::EventBusImpl(Poco::Logger& logger):
	_logger(logger)
{
}

EventBus::SubscriptionId EventBusImpl::subscribe(const std::string& event, Subscriber subscriber)
{
	std::lock_guard<std::mutex> lock(_mutex);
	auto& current = _subscribers[event];
	auto list = current ? std::make_shared<List>(*current) : std::make_shared<List>();
	const SubscriptionId id = _nextId++;
	list->emplace_back(id, std::move(subscriber));
	current = std::move(list);
	return id;
}

void EventBusImpl::unsubscribe(SubscriptionId id)
{
	std::lock_guard<std::mutex> lock(_mutex);
	for (auto& entry: _subscribers)
	{
		auto list = std::make_shared<List>(*entry.second);
		const auto before = list->size();
		list->erase(std::remove_if(list->begin(), list->end(), [id](const Entry& e) { return e.first == id; }), list->end());
		if (list->size() != before) entry.second = std::move(list);
	}
}

void EventBusImpl::publish(const std::string& event, const Poco::JSON::Object::Ptr& payload)
{
	std::shared_ptr<const List> list;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		auto it = _subscribers.find(event);
		if (it == _subscribers.end()) return;
		list = it->second;
	}
	for (const auto& entry: *list)
	{
		std::string reason;
		if (!Failure::caught([&] { entry.second(event, payload); }, reason))
			_logger.error("subscriber of %s failed: %s", event, reason);
	}
}

} } // namespace Palaver::Server
