#include "PluginContextImpl.h"
#include "PluginGate.h"
#include "PluginWork.h"
#include "ScopedAdminCommands.h"
#include "ScopedEvents.h"
#include "ScopedRouter.h"
#include "ScopedServices.h"
#include "ScopedWebSockets.h"
#include <Poco/File.h>
#include <Poco/Logger.h>
#include <Poco/Path.h>

namespace Palaver {
namespace Server {

PluginContextImpl::PluginContextImpl(const std::string& pluginName, const CoreServices& core,
	std::vector<std::shared_ptr<WebSocketEndpointImpl>> endpoints):
	_name(pluginName),
	_core(core),
	_section(core.config->createView(pluginName)),
	_logger(Poco::Logger::get("palaver." + pluginName)),
	_gate(PluginGate::create()),
	_router(new ScopedRouter(*core.router, _gate, pluginName)),
	_events(new ScopedEvents(*core.events, _gate)),
	_admin(std::make_shared<ScopedAdminCommands>(*core.admin, _gate, pluginName)),
	_webSockets(std::make_shared<ScopedWebSockets>(core.webSockets, std::move(endpoints), _logger)),
	_work(std::make_shared<PluginWork>(*core.work, core.workPerPlugin, _logger))
{
	std::map<std::string, std::shared_ptr<Service>> views;
	views[AdminCommands::NAME] = _admin;
	views[WebSockets::NAME] = _webSockets;
	views[WorkQueue::NAME] = _work;
	const auto postAs = ServiceCaller::parsePostAs(_section->getString(ServiceCaller::POST_AS_KEY, "service"));
	_services.reset(new ScopedServices(*core.services, std::move(views), std::make_shared<ServiceCaller>(pluginName, postAs)));
}

PluginContextImpl::~PluginContextImpl() = default;

std::string PluginContextImpl::stateDirectory() const
{
	Poco::Path path(_core.config->getString("server.state_dir", "var"));
	path.makeDirectory();
	path.pushDirectory(_name);
	Poco::File(path).createDirectories();
	return path.toString();
}

Router& PluginContextImpl::router() const
{
	return *_router;
}

EventBus& PluginContextImpl::events() const
{
	return *_events;
}

ServiceRegistry& PluginContextImpl::services() const
{
	return *_services;
}

void PluginContextImpl::withdraw()
{
	_gate->close();
	_work->close();
	_router->withdraw();
	_events->withdraw();
	_admin->withdraw();
	_services->withdraw();
	_webSockets->detach();
}

bool PluginContextImpl::waitIdle(const Poco::Timespan& timeout)
{
	const bool callsReturned = _webSockets->waitAccepts(timeout) && _gate->waitIdle(timeout);
	return _work->waitDrained(timeout) && callsReturned;
}

bool PluginContextImpl::dropConnectionContexts(const Poco::Timespan& timeout)
{
	return _webSockets->dropContexts(timeout);
}

void PluginContextImpl::resumeWebSockets()
{
	_webSockets->resume();
}

std::vector<std::shared_ptr<WebSocketEndpointImpl>> PluginContextImpl::webSocketEndpoints() const
{
	return _webSockets->endpoints();
}

void PluginContextImpl::release()
{
	_gate->release();
}

std::vector<std::string> PluginContextImpl::servicesStillHeld() const
{
	return _services->stillHeld();
}

} } // namespace Palaver::Server
