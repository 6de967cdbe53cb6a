#include "ScopedServices.h"
#include "ServiceRegistryImpl.h"
#include "palaver/ScopedService.h"

namespace Palaver {
namespace Server {

ScopedServices::ScopedServices(ServiceRegistryImpl& registry, std::map<std::string, std::shared_ptr<Service>> views,
		std::shared_ptr<ServiceCaller> caller):
	_registry(registry),
	_views(std::move(views)),
	_caller(std::move(caller))
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
	if (view != _views.end()) return view->second;
	auto service = _registry.findNamed(name);
	// A new view at each look-up, none kept here: the plugin's hold on it is
	// its hold on the service (stillHeld() of the offering plugin).
	auto scoped = std::dynamic_pointer_cast<ScopedService>(service);
	return scoped ? scoped->scopedTo(_caller) : service;
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
