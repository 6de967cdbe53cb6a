#include "CoreRoutes.h"
#include "DatabaseImpl.h"
#include "MetricsImpl.h"
#include "RouterImpl.h"
#include "palaver/Request.h"
#include "palaver/Response.h"
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

namespace Palaver {
namespace Server {

void CoreRoutes::add(RouterImpl& router, DatabaseImpl& database, MetricsImpl& metrics, const std::vector<PluginInfo>& plugins)
{
	router.add("GET", "/health", [&database, &plugins](Request&, Response& response)
	{
		Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
		for (const auto& info: plugins)
		{
			Poco::JSON::Object::Ptr entry = new Poco::JSON::Object;
			entry->set("name", info.name);
			entry->set("version", info.version);
			list->add(entry);
		}
		const bool storageUp = database.reachable();
		Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
		body->set("status", storageUp ? "ok" : "storage_unavailable");
		body->set("plugins", list);
		response.http().set("Cache-Control", "no-store");
		response.sendJson(storageUp ? 200 : 503, body);
	});

	router.add("GET", "/metrics", [&metrics](Request&, Response& response)
	{
		response.send(200, "text/plain; version=0.0.4; charset=utf-8", metrics.render());
	});
}

} } // namespace Palaver::Server
