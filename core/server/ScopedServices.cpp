#include "ScopedServices.h"
#include "ServiceRegistryImpl.h"

namespace Palaver {
namespace Server {

ScopedServices::ScopedServices(ServiceRegistryImpl& registry, std::map<std::string, std::shared_ptr<Service>> views):
	_registry(registry),
	_views(std::move(views))
{
}

void ScopedServices::offerService(const std::string& name, std::shared_ptr<Service> service)
{
	_registry.offerNamed(name, std::move(service));
	std::lock_guard<std::mutex> lock(_mutex);
	_offered.push_back(name);
}

std::shared_ptr<Service> ScopedServices::findService(const std::string& name) const
{
	auto view = _views.find(name);
	return view != _views.end() ? view->second : _registry.findNamed(name);
}

void ScopedServices::withdraw()
{
	std::lock_guard<std::mutex> lock(_mutex);
	for (const auto& name: _offered) _withdrawn[name] = _registry.withdraw(name);
	_offered.clear();
}

std::vector<std::string> ScopedServices::stillHeld() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	std::vector<std::string> held;
	for (const auto& entry: _withdrawn)
		if (!entry.second.expired()) held.push_back(entry.first);
	return held;
}

} } // namespace Palaver::Server
