//
// ScopedRouter.h
//

#ifndef Palaver_Server_ScopedRouter_INCLUDED
#define Palaver_Server_ScopedRouter_INCLUDED

#include "palaver/Router.h"
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace Palaver {
namespace Server {

class GatedBodyReceiver;
class PluginGate;
class RouterImpl;

/// One plugin's view of the router: adds its routes to the core's, each
/// handler guarded by the plugin's gate (a request that comes after the
/// plugin began to stop is answered 503), and remembers them so that
/// withdraw() removes exactly these. A streamed request body's receiver is
/// held as a GatedBodyReceiver, which withdraw() stops. Thread-safe.
class ScopedRouter: public Router
{
public:
	ScopedRouter(RouterImpl& router, std::shared_ptr<PluginGate> gate, std::string pluginName);

	using Router::add;
	void add(const std::string& method, const std::string& pattern, Handler handler, Options options) override;
	void addOnIoThread(const std::string& method, const std::string& pattern, Handler handler, Options options) override;

	/// Removes every route this plugin added, and lets go of the receivers
	/// of its bodies still arriving (GatedBodyReceiver::stop()).
	void withdraw();

private:
	/// Adds the guarded handler to the core's router, on the I/O thread or not.
	void addGuarded(const std::string& method, const std::string& pattern, Handler handler, Options options, bool onIoThread);

	/// The receivers of bodies still arriving, shared with the route handlers.
	struct Receivers
	{
		std::mutex mutex;
		std::vector<std::weak_ptr<GatedBodyReceiver>> open;  /// guarded by mutex
		bool withdrawn = false;                              /// guarded by mutex
	};

	RouterImpl& _router;
	const std::shared_ptr<PluginGate> _gate;
	const std::string _pluginName;
	std::mutex _mutex;
	std::vector<std::pair<std::string, std::string>> _routes;  /// method, pattern; guarded by _mutex
	const std::shared_ptr<Receivers> _receivers = std::make_shared<Receivers>();
};

} } // namespace Palaver::Server

#endif
