//
// ServiceRegistryImpl.h
//

#ifndef Palaver_Server_ServiceRegistryImpl_INCLUDED
#define Palaver_Server_ServiceRegistryImpl_INCLUDED

#include "palaver/ServiceRegistry.h"
#include <map>
#include <mutex>

namespace Palaver {
namespace Server {

class ServiceRegistryImpl: public ServiceRegistry
{
public:
	/// Drops every service, before the plugins that offered them are unloaded.
	void clear();

	/// offer() and find() by name, for a plugin's recording view (ScopedServices).
	void offerNamed(const std::string& name, std::shared_ptr<Service> service) { offerService(name, std::move(service)); }
	std::shared_ptr<Service> findNamed(const std::string& name) const { return findService(name); }

	/// Takes a stopping plugin's service away; returns it (null if none was offered).
	std::shared_ptr<Service> withdraw(const std::string& name);

protected:
	void offerService(const std::string& name, std::shared_ptr<Service> service) override;
	std::shared_ptr<Service> findService(const std::string& name) const override;

private:
	mutable std::mutex _mutex;
	std::map<std::string, std::shared_ptr<Service>> _services;
};

} } // namespace Palaver::Server

#endif
