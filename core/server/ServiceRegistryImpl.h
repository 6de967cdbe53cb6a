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

protected:
	void offerService(const std::string& name, std::shared_ptr<Service> service) override;
	std::shared_ptr<Service> findService(const std::string& name) const override;

private:
	mutable std::mutex _mutex;
	std::map<std::string, std::shared_ptr<Service>> _services;
};

} } // namespace Palaver::Server

#endif
