//
// PluginContextImpl.h
//

#ifndef Palaver_Server_PluginContextImpl_INCLUDED
#define Palaver_Server_PluginContextImpl_INCLUDED

#include "palaver/PluginContext.h"
#include <Poco/AutoPtr.h>
#include <Poco/Util/AbstractConfiguration.h>
#include <string>

namespace Palaver {
namespace Server {

/// What the core shares with every plugin; each plugin gets its own context
/// with its own configuration view, logger and state folder.
struct CoreServices
{
	Poco::Util::AbstractConfiguration* config;
	Database* database;
	Router* router;
	EventBus* events;
	ServiceRegistry* services;
	Metrics* metrics;
	const OriginPolicy* origins;
};

class PluginContextImpl: public PluginContext
{
public:
	PluginContextImpl(const std::string& pluginName, const CoreServices& core);

	const Poco::Util::AbstractConfiguration& config() const override { return *_section; }
	const Poco::Util::AbstractConfiguration& serverConfig() const override { return *_core.config; }
	Poco::Logger& logger() const override { return _logger; }
	std::string stateDirectory() const override;
	Database& database() const override { return *_core.database; }
	Router& router() const override { return *_core.router; }
	EventBus& events() const override { return *_core.events; }
	ServiceRegistry& services() const override { return *_core.services; }
	Metrics& metrics() const override { return *_core.metrics; }
	const OriginPolicy& origins() const override { return *_core.origins; }

private:
	std::string _name;
	CoreServices _core;
	Poco::AutoPtr<Poco::Util::AbstractConfiguration> _section;
	Poco::Logger& _logger;
};

} } // namespace Palaver::Server

#endif
