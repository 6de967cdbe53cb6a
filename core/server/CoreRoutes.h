//
// CoreRoutes.h
//

#ifndef Palaver_Server_CoreRoutes_INCLUDED
#define Palaver_Server_CoreRoutes_INCLUDED

#include <Poco/Util/AbstractConfiguration.h>

namespace Palaver {
namespace Server {

class DatabaseImpl;
class MetricsImpl;
class PluginRuntime;
class RouterImpl;

/// The routes the core answers itself: GET /health and GET /metrics (the
/// latter for the clients MetricsAccess allows).
class CoreRoutes
{
public:
	/// plugins: what /health lists (the running plugins, in order, and the
	/// ones left out, with why), read at each request.
	/// config: [metrics] (MetricsAccess); throws Poco::InvalidArgumentException for a bad entry.
	static void add(RouterImpl& router, DatabaseImpl& database, MetricsImpl& metrics, const PluginRuntime& plugins,
		const Poco::Util::AbstractConfiguration& config);
};

} } // namespace Palaver::Server

#endif
