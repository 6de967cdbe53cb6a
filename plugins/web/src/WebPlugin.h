//
// WebPlugin.h
//

#ifndef Palaver_Web_WebPlugin_INCLUDED
#define Palaver_Web_WebPlugin_INCLUDED

#include "AssetStore.h"
#include "palaver/Plugin.h"
#include <memory>
#include <mutex>
#include <string>

namespace Palaver {

class Request;
class Response;

namespace Web {

/// Serves the browser client: GET / (index.html), GET /assets/*,
/// GET /favicon.ico (the SVG icon) and GET /config.json (what the client needs to know about this server), with a
/// strict Content-Security-Policy. Config keys ([web]): root, websocket_url.
class WebPlugin: public Plugin
{
public:
	static const std::string contentSecurityPolicy;

	PluginInfo info() const override;
	void initialize(PluginContext& context) override;
	void reconfigure(const Poco::Util::AbstractConfiguration& config) override;

	/// Routes only (through its context): stopped and reloaded at run time.
	bool reloadable() const override { return true; }

private:
	void configure(const Poco::Util::AbstractConfiguration& config);
	std::shared_ptr<const AssetStore> store() const;
	std::shared_ptr<const Asset> clientConfig() const;

	void serve(Request& request, Response& response, const std::string& relativePath) const;
	static void send(Request& request, Response& response, const Asset& asset);

	PluginContext* _context = nullptr;
	mutable std::mutex _mutex;
	std::shared_ptr<const AssetStore> _embedded;
	std::shared_ptr<const AssetStore> _store;
	std::shared_ptr<const Asset> _clientConfig;
};

} } // namespace Palaver::Web

#endif
