//
// CoreRoutes.h
//

#ifndef Palaver_Server_CoreRoutes_INCLUDED
#define Palaver_Server_CoreRoutes_INCLUDED

#include "palaver/PluginInfo.h"
#include <Poco/Util/AbstractConfiguration.h>
#include <vector>

namespace Palaver {
namespace Server {

class DatabaseImpl;
class MetricsImpl;
class RouterImpl;

/// The routes the core answers itself: GET /health and GET /metrics (the
/// latter for the clients MetricsAccess allows).
class CoreRoutes
{
public:
	/// plugins: what /health lists, in load order; read at each request.
	/// config: [metrics] (MetricsAccess); throws Poco::InvalidArgumentException for a bad entry.
	static void add(RouterImpl& router, DatabaseImpl& database, MetricsImpl& metrics, const std::vector<PluginInfo>& plugins,
		const Poco::Util::AbstractConfiguration& config);
};

} } // namespace Palaver::Server

#endif
