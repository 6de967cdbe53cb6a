#include "FrameRegistry.h"
#include <Poco/Exception.h>
#include <Poco/Timestamp.h>
#include <chrono>
#include <thread>

namespace Palaver {
namespace Ws {

void FrameRegistry::addHandler(const std::string& type, const std::string& field, Handler handler)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (!_handlers.emplace(std::make_pair(type, field), std::make_shared<const Handler>(std::move(handler))).second)
		throw Poco::ExistsException("a handler for this client frame exists", type + " " + field);
}

void FrameRegistry::removeHandler(const std::string& type, const std::string& field)
{
	Shared removed;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		auto it = _handlers.find(std::make_pair(type, field));
		if (it == _handlers.end()) return;
		removed = std::move(it->second);
		_handlers.erase(it);
	}
	// Calls in flight (and frames queued for a worker) hold a copy; the last
	// one goes here, while the adding plugin's code is loaded.
	const Poco::Timestamp started;
	while (removed.use_count() > 1 && !started.isElapsed(MAX_WAIT_US))
		std::this_thread::sleep_for(std::chrono::milliseconds(2));
}

FrameRegistry::Shared FrameRegistry::find(const std::string& type, const JsonValue& frame) const
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (_handlers.empty()) return nullptr;
	for (auto it = _handlers.lower_bound(std::make_pair(type, std::string())); it != _handlers.end() && it->first.first == type; ++it)
	{
		if (!it->first.second.empty() && frame.find(it->first.second)) return it->second;
	}
	auto whole = _handlers.find(std::make_pair(type, std::string()));
	return whole == _handlers.end() ? nullptr : whole->second;
}

} } // namespace Palaver::Ws
