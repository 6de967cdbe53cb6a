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
#include <string>

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
/// with one log line naming the plugin and the exception's message (or,
/// with [plugins] on_failure = skip, leaves the plugin out).
///
/// At run time (API 4.0, palaverctl plugins enable|disable|reload) a plugin
/// that says reloadable() is stopped, unloaded and loaded again while
/// palaverd serves: the core takes away what the plugin registered through
/// its PluginContext (routes, event subscribers, services, admin commands)
/// and waits for those calls in flight before stop(); after stop() nothing
/// of the plugin's code may run. Across a reload, saveState() of the old
/// instance (after its stop()) is handed to restoreState() of the new one
/// (after its initialize(), before its start()). docs/PLUGINS.md, "Run time".
class Plugin
{
public:
	virtual ~Plugin() = default;

	virtual PluginInfo info() const = 0;
	virtual void initialize(PluginContext& context) = 0;
	virtual void start() {}
	virtual void reconfigure(const Poco::Util::AbstractConfiguration& config) {}
	virtual void stop() {}

	/// API 4.0. True when stop() leaves nothing of this plugin's code
	/// reachable besides what it registered through its PluginContext: its
	/// threads and timers joined, handlers it gave to other plugins'
	/// services removed, no object of its classes held elsewhere. Only then
	/// does palaverd stop and unload it while running; otherwise a change
	/// needs a restart. Asked on the thread that loads it.
	virtual bool reloadable() const { return false; }

	/// API 4.0. The state to hand to the next version on a reload, called
	/// after stop(); any bytes, e.g. JSON ("": nothing to hand over).
	virtual std::string saveState() { return std::string(); }

	/// API 4.0. What the previous version's saveState() returned, after
	/// initialize() and before start(); not called when there is none. A
	/// state this version cannot read must be ignored, not thrown at.
	virtual void restoreState(const std::string& state) {}
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
