//
// Plugin.h
//
// The base class of every Palaver plugin, and the macro that exports one from
// its shared object.
//

#ifndef Palaver_Plugin_INCLUDED
#define Palaver_Plugin_INCLUDED

#include "palaver/PluginAbi.h"
#include "palaver/PluginInfo.h"
#include <Poco/ClassLibrary.h>

namespace Poco { namespace Util { class AbstractConfiguration; } }

namespace Palaver {

class PluginContext;

/// A plugin is a shared object that exports exactly one Plugin subclass with
/// PALAVER_PLUGIN. Its lifecycle, driven by palaverd:
///
///   info()        asked first, once the ABI record that PALAVER_PLUGIN
///                 writes has been checked; must not throw.
///   initialize()  in dependency order: create tables, register routes,
///                 subscribe to events, offer and look up services.
///   start()       in dependency order, once every plugin is initialised and
///                 just before the listeners open: start threads and sockets.
///   reconfigure() on SIGHUP, with the re-read configuration section.
///   stop()        in reverse dependency order on shutdown: stop threads,
///                 finish pending work. Requests may still arrive until the
///                 HTTP server has stopped, which happens before stop().
///
/// An exception from initialize() or start() stops palaverd from starting,
/// with one log line naming the plugin and the exception's message.
class Plugin
{
public:
	virtual ~Plugin() = default;

	virtual PluginInfo info() const = 0;
	virtual void initialize(PluginContext& context) = 0;
	virtual void start() {}
	virtual void reconfigure(const Poco::Util::AbstractConfiguration& config) {}
	virtual void stop() {}
};

} // namespace Palaver

/// Exports a plugin class and the record of what it was built against
/// (palaver/PluginAbi.h). Use once, at global scope, in one source file of the
/// plugin: PALAVER_PLUGIN(Palaver::Auth::AuthPlugin)
#define PALAVER_PLUGIN(PluginClass) \
	PALAVER_PLUGIN_ABI_RECORD \
	POCO_BEGIN_MANIFEST(Palaver::Plugin) \
		POCO_EXPORT_CLASS(PluginClass) \
	POCO_END_MANIFEST

#endif
