#include "CoreRoutes.h"
#include "DatabaseImpl.h"
#include "MetricsAccess.h"
#include "MetricsImpl.h"
#include "PluginRuntime.h"
#include "RouterImpl.h"
#include "palaver/Request.h"
#include "palaver/Response.h"
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <memory>

namespace Palaver {
namespace Server {

void CoreRoutes::add(RouterImpl& router, DatabaseImpl& database, MetricsImpl& metrics, const PluginRuntime& plugins,
	const Poco::Util::AbstractConfiguration& config)
{
	router.add("GET", "/health", [&database, &plugins](Request&, Response& response)
	{
		const bool storageUp = database.reachable();
		Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
		body->set("status", storageUp ? "ok" : "storage_unavailable");
		plugins.describe(*body);
		response.http().set("Cache-Control", "no-store");
		response.sendJson(storageUp ? 200 : 503, body);
	});

	auto access = std::make_shared<const MetricsAccess>(config);
	router.add("GET", "/metrics", [&metrics, access](Request& request, Response& response)
	{
		access->check(request);
		response.http().set("Cache-Control", "no-store");
		response.send(200, "text/plain; version=0.0.4; charset=utf-8", metrics.render());
	});
}

} } // namespace Palaver::Server
