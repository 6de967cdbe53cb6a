//
// PluginContext.h
//

#ifndef Palaver_PluginContext_INCLUDED
#define Palaver_PluginContext_INCLUDED

#include <string>

namespace Poco {
class Logger;
namespace Util { class AbstractConfiguration; }
}

namespace Palaver {

class Database;
class EventBus;
class Metrics;
class OriginPolicy;
class Router;
class ServiceRegistry;

/// Everything the core gives a plugin: its whole world. Handed to
/// Plugin::initialize(); every reference stays valid until after Plugin::stop().
class PluginContext
{
public:
	virtual ~PluginContext() = default;

	/// The plugin's own section of the configuration, e.g. [auth] for "auth".
	virtual const Poco::Util::AbstractConfiguration& config() const = 0;

	/// The whole configuration, for shared keys such as [http] port.
	virtual const Poco::Util::AbstractConfiguration& serverConfig() const = 0;

	/// The logger "palaver.<plugin name>".
	virtual Poco::Logger& logger() const = 0;

	/// A folder for the plugin's files: <[server] state_dir>/<plugin name>, created.
	virtual std::string stateDirectory() const = 0;

	virtual Database& database() const = 0;
	virtual Router& router() const = 0;
	virtual EventBus& events() const = 0;
	virtual ServiceRegistry& services() const = 0;
	virtual Metrics& metrics() const = 0;
	virtual const OriginPolicy& origins() const = 0;
};

} // namespace Palaver

#endif
