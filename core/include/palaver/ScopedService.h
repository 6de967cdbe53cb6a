//
// ScopedService.h
//

#ifndef Palaver_ScopedService_INCLUDED
#define Palaver_ScopedService_INCLUDED

#include "palaver/Service.h"
#include "palaver/ServiceCaller.h"
#include <memory>

namespace Palaver {

/// A service that answers each plugin with a view of its own (API 4.1,
/// issue 20), so that it can tell who calls: MessageStore refuses to post as
/// a user the calling plugin may not act as. An implementation derives from
/// its Service interface and from this; ServiceRegistry::find() and
/// require() then return scopedTo(caller) instead of the service itself.
class ScopedService
{
public:
	virtual ~ScopedService() = default;

	/// The view that the plugin caller gets: a Service of the same
	/// interface, holding the service (a shared_ptr) and the caller. Called
	/// at each look-up, on the looking-up plugin's thread (its initialize()
	/// usually); must not throw.
	virtual std::shared_ptr<Service> scopedTo(const std::shared_ptr<ServiceCaller>& caller) = 0;
};

} // namespace Palaver

#endif
