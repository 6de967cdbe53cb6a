#include "FrameRegistry.h"
#include <Poco/Exception.h>

namespace Palaver {
namespace Ws {

void FrameRegistry::addHandler(const std::string& type, const std::string& field, Handler handler)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (!_handlers.emplace(std::make_pair(type, field), std::move(handler)).second)
		throw Poco::ExistsException("a handler for this client frame exists", type + " " + field);
}

ClientFrames::Handler FrameRegistry::find(const std::string& type, const JsonValue& frame) const
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (_handlers.empty()) return Handler();
	for (auto it = _handlers.lower_bound(std::make_pair(type, std::string())); it != _handlers.end() && it->first.first == type; ++it)
	{
		if (!it->first.second.empty() && frame.find(it->first.second)) return it->second;
	}
	auto whole = _handlers.find(std::make_pair(type, std::string()));
	return whole == _handlers.end() ? Handler() : whole->second;
}

} } // namespace Palaver::Ws
