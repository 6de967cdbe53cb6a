//
// ServiceRegistry.h
//

#ifndef Palaver_ServiceRegistry_INCLUDED
#define Palaver_ServiceRegistry_INCLUDED

#include "palaver/Service.h"
#include <Poco/Exception.h>
#include <memory>
#include <string>

namespace Palaver {

/// Where plugins offer interfaces to each other. A plugin offers its services
/// in initialize(); a plugin that needs one declares the offering plugin in
/// PluginInfo::needs (or ::uses) so that it is initialised after it, and looks
/// it up in its own initialize() or later.
///
///   context.services().offer<UserDirectory>(_directory);
///   auto users = context.services().require<UserDirectory>();
class ServiceRegistry
{
public:
	virtual ~ServiceRegistry() = default;

	template <class S>
	void offer(std::shared_ptr<S> service)
	{
		offerService(S::NAME, std::static_pointer_cast<Service>(std::move(service)));
	}

	/// The service, or nullptr when no plugin offers it.
	template <class S>
	std::shared_ptr<S> find() const
	{
		return std::dynamic_pointer_cast<S>(findService(S::NAME));
	}

	/// The service; throws Poco::NotFoundException when no plugin offers it.
	template <class S>
	std::shared_ptr<S> require() const
	{
		auto service = find<S>();
		if (!service) throw Poco::NotFoundException("service not offered", S::NAME);
		return service;
	}

protected:
	/// Throws Poco::ExistsException when name is already offered.
	virtual void offerService(const std::string& name, std::shared_ptr<Service> service) = 0;
	virtual std::shared_ptr<Service> findService(const std::string& name) const = 0;
};

} // namespace Palaver

#endif
