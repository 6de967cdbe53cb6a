//
// CoreRoutes.h
//

#ifndef Palaver_Server_CoreRoutes_INCLUDED
#define Palaver_Server_CoreRoutes_INCLUDED

#include "palaver/PluginInfo.h"
#include <vector>

namespace Palaver {
namespace Server {

class DatabaseImpl;
class MetricsImpl;
class RouterImpl;

/// The routes the core answers itself: GET /health and GET /metrics.
class CoreRoutes
{
public:
	/// plugins: what /health lists, in load order; read at each request.
	static void add(RouterImpl& router, DatabaseImpl& database, MetricsImpl& metrics, const std::vector<PluginInfo>& plugins);
};

} } // namespace Palaver::Server

#endif
