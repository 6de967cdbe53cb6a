#include "ServiceRegistryImpl.h"

namespace Palaver {
namespace Server {

void ServiceRegistryImpl::clear()
{
	std::lock_guard<std::mutex> lock(_mutex);
	_services.clear();
}

std::shared_ptr<Service> ServiceRegistryImpl::withdraw(const std::string& name)
{
	std::lock_guard<std::mutex> lock(_mutex);
	auto it = _services.find(name);
	if (it == _services.end()) return nullptr;
	std::shared_ptr<Service> service = std::move(it->second);
	_services.erase(it);
	return service;
}

void ServiceRegistryImpl::offerService(const std::string& name, std::shared_ptr<Service> service)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (!_services.emplace(name, std::move(service)).second)
		throw Poco::ExistsException("service already offered", name);
}

std::shared_ptr<Service> ServiceRegistryImpl::findService(const std::string& name) const
{
	std::lock_guard<std::mutex> lock(_mutex);
	auto it = _services.find(name);
	return it == _services.end() ? nullptr : it->second;
}

} } // namespace Palaver::Server
