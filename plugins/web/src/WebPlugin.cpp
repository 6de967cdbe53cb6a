#include "WebPlugin.h"
#include "palaver/HttpError.h"
#include "palaver/PluginContext.h"
#include "palaver/Request.h"
#include "palaver/Response.h"
#include "palaver/Router.h"
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Logger.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>
#include <Poco/Util/AbstractConfiguration.h>
#include <sstream>

namespace Palaver {
namespace Web {

const std::string WebPlugin::contentSecurityPolicy =
	"default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data: blob:; "
	"style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
	"form-action 'self'; object-src 'none'";

PluginInfo WebPlugin::info() const
{
	PluginInfo info;
	info.name = "web";
	info.version = "1.0.0";
	info.settings = {
		Setting::string("root", "", "serve the client from this folder instead of the files built into the plugin (development); re-read on SIGHUP"),
		Setting::string("websocket_url", "", "the WebSocket URL the client uses (ws://, wss:// or a path; empty: /ws on its own origin); re-read on SIGHUP"),
	};
	return info;
}

void WebPlugin::initialize(PluginContext& context)
{
	_context = &context;
	_embedded = std::make_shared<const AssetStore>();
	configure(context.config());

	Router& router = context.router();
	router.add("GET", "/", [this](Request& request, Response& response)
	{
		serve(request, response, "index.html");
	});
	router.add("GET", "/assets/*", [this](Request& request, Response& response)
	{
		serve(request, response, "assets/" + request.param("*"));
	});
	// Browsers ask for it where no <link rel="icon"> says otherwise.
	router.add("GET", "/favicon.ico", [this](Request& request, Response& response)
	{
		serve(request, response, "assets/favicon.svg");
	});
	router.add("GET", "/config.json", [this](Request& request, Response& response)
	{
		send(request, response, *clientConfig());
	});
}

void WebPlugin::reconfigure(const Poco::Util::AbstractConfiguration& config)
{
	// A bad new setting keeps the old one serving rather than stopping the client.
	try
	{
		configure(config);
	}
	catch (Poco::Exception& exception)
	{
		_context->logger().error("[web] configuration not applied, keeping the previous one: " + exception.displayText());
	}
}

void WebPlugin::configure(const Poco::Util::AbstractConfiguration& config)
{
	const std::string root = Poco::trim(config.getString("root"));
	std::shared_ptr<const AssetStore> store = _embedded;
	if (!root.empty())
	{
		store = std::make_shared<const AssetStore>(root);
		if (_context) _context->logger().warning("serving the web client from " + store->root() + " (development)");
	}
	else if (_context)
	{
		_context->logger().information("serving the embedded web client (" + std::to_string(store->embeddedCount()) + " files)");
	}

	const std::string websocketUrl = Poco::trim(config.getString("websocket_url"));
	if (!websocketUrl.empty() && websocketUrl.rfind("ws://", 0) != 0 && websocketUrl.rfind("wss://", 0) != 0
		&& websocketUrl[0] != '/')
		throw Poco::InvalidArgumentException("[web] websocket_url must start with ws://, wss:// or /", websocketUrl);
	Poco::JSON::Object json;
	json.set("websocketUrl", websocketUrl);
	std::ostringstream text;
	Poco::JSON::Stringifier::condense(json, text);
	auto clientConfig = AssetStore::makeAsset("config.json", text.str());

	std::lock_guard<std::mutex> lock(_mutex);
	_store = store;
	_clientConfig = clientConfig;
}

std::shared_ptr<const AssetStore> WebPlugin::store() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _store;
}

std::shared_ptr<const Asset> WebPlugin::clientConfig() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _clientConfig;
}

void WebPlugin::serve(Request& request, Response& response, const std::string& relativePath) const
{
	auto asset = store()->find(relativePath);
	if (!asset) throw HttpError::notFound("no such file");
	send(request, response, *asset);
}

void WebPlugin::send(Request& request, Response& response, const Asset& asset)
{
	auto& http = response.http();
	http.set("Content-Security-Policy", contentSecurityPolicy);
	http.set("X-Content-Type-Options", "nosniff");
	http.set("Referrer-Policy", "no-referrer");
	http.set("X-Frame-Options", "DENY");
	http.set("Cross-Origin-Opener-Policy", "same-origin");
	// File names carry no version, so clients revalidate every time (cheap: 304).
	http.set("Cache-Control", "no-cache");
	http.set("ETag", asset.etag);

	const std::string ifNoneMatch = request.http().get("If-None-Match", "");
	if (!ifNoneMatch.empty())
	{
		Poco::StringTokenizer tags(ifNoneMatch, ",", Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
		for (const auto& tag: tags)
		{
			const std::string weakless = tag.rfind("W/", 0) == 0 ? tag.substr(2) : tag;
			if (tag == "*" || weakless == asset.etag)
			{
				response.send(304, asset.contentType, "");
				return;
			}
		}
	}
	response.send(200, asset.contentType, asset.body);
}

} } // namespace Palaver::Web

PALAVER_PLUGIN(Palaver::Web::WebPlugin)
