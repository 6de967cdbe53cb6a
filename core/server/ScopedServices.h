//
// ScopedServices.h
//

#ifndef Palaver_Server_ScopedServices_INCLUDED
#define Palaver_Server_ScopedServices_INCLUDED

#include "palaver/ServiceCaller.h"
#include "palaver/ServiceRegistry.h"
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace Palaver {
namespace Server {

class ServiceRegistryImpl;

/// One plugin's view of the service registry: remembers the services it
/// offers, so that withdraw() takes exactly these away, and answers with
/// the plugin's own views of the core services that take its callbacks
/// (AdminCommands, WebSockets) and of the services that scope themselves
/// to their caller (ScopedService: MessageStore, UserDirectory). Thread-safe.
class ScopedServices: public ServiceRegistry
{
public:
	/// views: what find() returns for those names instead of the registry's;
	/// caller: the plugin, as a ScopedService's view sees it.
	ScopedServices(ServiceRegistryImpl& registry, std::map<std::string, std::shared_ptr<Service>> views,
		std::shared_ptr<ServiceCaller> caller);

	/// Takes the plugin's services out of the registry.
	void withdraw();

	/// The withdrawn services that something still holds (once the plugin
	/// is destroyed, such a holder would call into unloaded code).
	std::vector<std::string> stillHeld() const;

protected:
	void offerService(const std::string& name, std::shared_ptr<Service> service) override;
	std::shared_ptr<Service> findService(const std::string& name) const override;

private:
	ServiceRegistryImpl& _registry;
	const std::map<std::string, std::shared_ptr<Service>> _views;
	const std::shared_ptr<ServiceCaller> _caller;
	mutable std::mutex _mutex;
	std::vector<std::string> _offered;                             /// guarded by _mutex
	std::map<std::string, std::weak_ptr<Service>> _withdrawn;     /// guarded by _mutex
};

} } // namespace Palaver::Server

#endif
