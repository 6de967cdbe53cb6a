#include "ScopedRouter.h"
#include "GatedBodyReceiver.h"
#include "PluginGate.h"
#include "RouterImpl.h"
#include "palaver/HttpError.h"
#include "palaver/Request.h"
#include "palaver/Response.h"
#include <algorithm>

namespace Palaver {
namespace Server {

namespace {

// A streamed body's source, called on workers after its handler returned:
// it holds a ticket of the plugin's gate until it is destroyed, so that the
// plugin is not unloaded under it. Members go in reverse order: the source
// (the plugin's code) before the ticket.
struct TicketedSource
{
	std::shared_ptr<void> ticket;
	Response::BodySource source;

	bool operator()(std::string& chunk) { return source(chunk); }
};

} // namespace

ScopedRouter::ScopedRouter(RouterImpl& router, std::shared_ptr<PluginGate> gate, std::string pluginName):
	_router(router),
	_gate(std::move(gate)),
	_pluginName(std::move(pluginName))
{
}

void ScopedRouter::add(const std::string& method, const std::string& pattern, Handler handler, Options options)
{
	addGuarded(method, pattern, std::move(handler), options, false);
}

void ScopedRouter::addOnIoThread(const std::string& method, const std::string& pattern, Handler handler, Options options)
{
	addGuarded(method, pattern, std::move(handler), options, true);
}

void ScopedRouter::addGuarded(const std::string& method, const std::string& pattern, Handler handler, Options options, bool onIoThread)
{
	const std::string name = _pluginName;
	Handler stopped = [name](Request&, Response&)
	{
		throw HttpError(503, "plugin_unavailable", "plugin '" + name + "' is stopping; try again").withHeader("Retry-After", "1");
	};
	PluginGate& gate = *_gate;  // lives as long as the guarded handler, which holds it
	const std::shared_ptr<Receivers> receivers = _receivers;
	Handler streamed = [&gate, handler, stopped, receivers, name](Request& request, Response& response)
	{
		handler(request, response);
		if (const std::shared_ptr<BodyReceiver> plugins = request.bodyReceiver())
		{
			std::shared_ptr<void> ticket = gate.ticket();
			if (!ticket) stopped(request, response);
			auto gated = std::make_shared<GatedBodyReceiver>(std::move(ticket), plugins, name);
			request.receiveBody(gated);
			std::unique_lock<std::mutex> lock(receivers->mutex);
			auto& open = receivers->open;
			open.erase(std::remove_if(open.begin(), open.end(), [](const std::weak_ptr<GatedBodyReceiver>& r) { return r.expired(); }), open.end());
			open.push_back(gated);
			// withdraw() ran while this handler did: it could not see this one.
			const bool withdrawn = receivers->withdrawn;
			lock.unlock();
			if (withdrawn) gated->stop();
		}
		if (!response.bodySource()) return;
		TicketedSource source{gate.ticket(), response.bodySource()};
		if (!source.ticket) stopped(request, response);
		response.stream(response.status(), response.http().getContentType(), std::move(source));
	};
	Handler guarded = _gate->guard(std::move(streamed), stopped);
	if (onIoThread)
		_router.addOnIoThread(method, pattern, std::move(guarded), options);
	else
		_router.add(method, pattern, std::move(guarded), options);
	std::lock_guard<std::mutex> lock(_mutex);
	_routes.emplace_back(method, pattern);
}

void ScopedRouter::withdraw()
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		for (const auto& route: _routes) _router.remove(route.first, route.second);
		_routes.clear();
	}
	std::vector<std::weak_ptr<GatedBodyReceiver>> open;
	{
		std::lock_guard<std::mutex> lock(_receivers->mutex);
		_receivers->withdrawn = true;
		open.swap(_receivers->open);
	}
	for (const auto& receiver: open)
	{
		if (const auto gated = receiver.lock()) gated->stop();
	}
}

} } // namespace Palaver::Server
