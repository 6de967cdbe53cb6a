#include "PluginRuntime.h"
#include "WebSocketEndpointImpl.h"
#include "palaver/Failure.h"
#include <Poco/JSON/Array.h>
#include <algorithm>

namespace Palaver {
namespace Server {

namespace {

std::string listed(const std::set<std::string>& names)
{
	std::string text;
	for (const auto& name: names) text += (text.empty() ? "" : ", ") + name;
	return text;
}

} // namespace

PluginRuntime::PluginRuntime(PluginLoader& loader, ConfigLoader& configLoader, PluginSettings& settings, const CoreServices& core,
	const Poco::Util::AbstractConfiguration& config, Poco::Logger& logger):
	_loader(loader),
	_configLoader(configLoader),
	_settings(settings),
	_core(core),
	_config(config),
	_logger(logger)
{
	for (auto& loaded: _loader.plugins())
	{
		_running.emplace_back();
		_running.back().loaded = std::move(loaded);
	}
	_loader.plugins().clear();
	for (const auto& refusal: _loader.refused()) _skipped.push_back(refusal);
	publish();
}

PluginRuntime::~PluginRuntime()
{
	// The instances go back to the loader, which destroys them before it
	// unloads their libraries, after the core dropped their services.
	for (std::vector<Running>* list: {&_running, &_retained})
	{
		for (auto& running: *list)
		{
			running.context.reset();
			_loader.plugins().push_back(std::move(running.loaded));
		}
	}
}

Poco::Timespan PluginRuntime::drainTimeout() const
{
	return Poco::Timespan(_config.getInt("http.drain_timeout", 10), 0);
}

void PluginRuntime::initializeOne(Running& running)
{
	const PluginInfo& info = running.loaded.info;
	running.context.reset(new PluginContextImpl(info.name, _core, running.endpoints));
	try
	{
		running.loaded.plugin->initialize(*running.context);
	}
	catch (...)
	{
		throw PluginException("plugin '" + info.name + "' failed to initialise: " + Failure::current());
	}
	running.initialized = true;
	_logger.information("plugin %s %s initialised", info.name, info.version);
}

void PluginRuntime::startOne(Running& running)
{
	const std::string& name = running.loaded.info.name;
	try
	{
		running.loaded.plugin->start();
	}
	catch (...)
	{
		throw PluginException("plugin '" + name + "' failed to start: " + Failure::current());
	}
	running.started = true;
}

void PluginRuntime::bringUp(Running& running, const std::string& state)
{
	initializeOne(running);
	if (!state.empty())
	{
		try
		{
			running.loaded.plugin->restoreState(state);
		}
		catch (...)
		{
			throw PluginException("plugin '" + running.loaded.info.name + "' failed to restore its state: " + Failure::current());
		}
	}
	startOne(running);
	running.context->resumeWebSockets();
}

void PluginRuntime::tearDown(Running& running, bool saveState, bool keepFile)
{
	const std::string name = running.loaded.info.name;
	bool idle = true;
	if (running.context)
	{
		running.context->withdraw();
		idle = running.context->waitIdle(drainTimeout());
		if (!idle) _logger.error("plugin %s: calls into it still run after [http] drain_timeout; its code stays in memory", name);
	}
	std::string reason;
	if (running.initialized && !Failure::caught([&] { running.loaded.plugin->stop(); }, reason))
		_logger.error("plugin %s failed to stop: %s", name, reason);
	running.initialized = running.started = false;
	if (saveState && !Failure::caught([&] { running.state = running.loaded.plugin->saveState(); }, reason))
		_logger.error("plugin %s failed to save its state (the next version starts without): %s", name, reason);
	if (running.context)
	{
		// Its code's objects in the connections go while its library is sure to be there.
		if (!running.context->dropConnectionContexts(drainTimeout()))
		{
			_logger.error("plugin %s: its WebSocket connections' I/O threads did not answer within [http] drain_timeout; its code stays in memory", name);
			idle = false;
		}
		running.endpoints = running.context->webSocketEndpoints();
	}
	const bool unloadable = idle && running.loaded.plugin->reloadable();
	if (idle && running.context) running.context->release();
	if (unloadable)
	{
		running.loaded.plugin.reset();
		std::set<std::string> held;
		if (running.context) for (const auto& service: running.context->servicesStillHeld()) held.insert(service);
		if (held.empty())
		{
			running.context.reset();
			if (!_loader.unload(running.loaded, keepFile))
				_logger.warning("plugin %s: its library stays in memory (another library binds to it)", name);
			return;
		}
		_logger.error("plugin %s: its services %s are still held; its code stays in memory", name, listed(held));
	}
	// Its code may still be reached: kept, never unloaded.
	_retained.push_back(std::move(running));
	running = Running();
}

void PluginRuntime::initialize(bool skip)
{
	std::lock_guard<std::mutex> lock(_lifecycle);
	for (std::size_t i = 0; i < _running.size();)
	{
		Running& running = _running[i];
		std::string reason;
		for (const auto& needed: running.loaded.info.needs)
		{
			if (indexOf(needed) >= i) reason = "plugin '" + running.loaded.info.name + "' needs plugin '" + needed + "', which is not running";
		}
		try
		{
			if (reason.empty()) initializeOne(running);
		}
		catch (PluginException& e)
		{
			if (!skip) throw;
			reason = e.message();
		}
		if (reason.empty())
		{
			++i;
			continue;
		}
		const std::string name = running.loaded.info.name;
		tearDown(running, false, false);
		_running.erase(_running.begin() + static_cast<std::ptrdiff_t>(i));
		leaveOut(name, reason);
	}
	publish();
}

void PluginRuntime::start(bool skip)
{
	std::lock_guard<std::mutex> lock(_lifecycle);
	for (std::size_t i = 0; i < _running.size();)
	{
		try
		{
			startOne(_running[i]);
			++i;
		}
		catch (PluginException& e)
		{
			if (!skip) throw;
			const std::string name = _running[i].loaded.info.name;
			std::set<std::string> out = dependantsOf(name, false);
			out.insert(name);
			for (std::size_t j = _running.size(); j-- > i;)
			{
				if (!out.count(_running[j].loaded.info.name)) continue;
				const std::string left = _running[j].loaded.info.name;
				tearDown(_running[j], false, false);
				_running.erase(_running.begin() + static_cast<std::ptrdiff_t>(j));
				leaveOut(left, left == name ? e.message() : "plugin '" + left + "' depends on plugin '" + name + "', which failed to start");
			}
		}
	}
	publish();
}

void PluginRuntime::stop()
{
	std::lock_guard<std::mutex> lock(_lifecycle);
	// Every initialised plugin gets stop(), in reverse order, even if start() never came.
	for (std::size_t i = _running.size(); i-- > 0;)
	{
		Running& running = _running[i];
		if (!running.initialized) continue;
		std::string reason;
		if (!Failure::caught([&] { running.loaded.plugin->stop(); }, reason))
			_logger.error("plugin %s failed to stop: %s", running.loaded.info.name, reason);
		running.initialized = running.started = false;
	}
}

void PluginRuntime::reconfigure()
{
	std::lock_guard<std::mutex> lock(_lifecycle);
	_configLoader.load();
	for (const auto& warning: _settings.apply(plugins())) _logger.warning(warning);
	for (auto& running: _running)
	{
		std::string reason;
		if (running.initialized && !Failure::caught([&] { running.loaded.plugin->reconfigure(running.context->config()); }, reason))
			_logger.error("plugin %s failed to reconfigure: %s", running.loaded.info.name, reason);
	}
}

std::size_t PluginRuntime::indexOf(const std::string& name) const
{
	for (std::size_t i = 0; i < _running.size(); ++i)
		if (_running[i].loaded.info.name == name) return i;
	return std::string::npos;
}

std::set<std::string> PluginRuntime::dependantsOf(const std::string& name, bool needsOnly) const
{
	std::set<std::string> found;
	std::vector<std::string> pending{name};
	while (!pending.empty())
	{
		const std::string current = pending.back();
		pending.pop_back();
		for (const auto& running: _running)
		{
			const PluginInfo& info = running.loaded.info;
			const bool needs = std::find(info.needs.begin(), info.needs.end(), current) != info.needs.end();
			const bool uses = std::find(info.uses.begin(), info.uses.end(), current) != info.uses.end();
			if ((needs || (uses && !needsOnly)) && found.insert(info.name).second) pending.push_back(info.name);
		}
	}
	return found;
}

void PluginRuntime::checkStoppable(const std::set<std::string>& names) const
{
	for (const auto& name: names)
	{
		const Running& running = _running[indexOf(name)];
		if (!running.loaded.plugin->reloadable())
			throw Poco::IllegalStateException("plugin '" + name + "' is not reloadable (Plugin::reloadable()): restart palaverd instead");
	}
}

std::vector<PluginRuntime::Running> PluginRuntime::takeOut(const std::set<std::string>& names)
{
	std::vector<Running> taken;
	for (std::size_t i = _running.size(); i-- > 0;)
	{
		if (!names.count(_running[i].loaded.info.name)) continue;
		const std::string name = _running[i].loaded.info.name;
		tearDown(_running[i], true, true);
		if (_running[i].loaded.file >= 0) taken.insert(taken.begin(), std::move(_running[i]));
		else _skipped.push_back(PluginLoader::Refusal{name, "plugin '" + name + "' stopped, but its code could not be unloaded"});
		_running.erase(_running.begin() + static_cast<std::ptrdiff_t>(i));
		_logger.information("plugin %s stopped", name);
	}
	return taken;
}

std::string PluginRuntime::putBack(std::vector<Running> taken)
{
	std::string text;
	for (auto& previous: taken)
	{
		const std::string name = previous.loaded.info.name;
		Running again;
		again.endpoints = previous.endpoints;
		try
		{
			again.loaded = _loader.loadAgain(previous.loaded);
			PluginLoader::forget(previous.loaded);
			for (const auto& needed: again.loaded.info.needs)
			{
				if (indexOf(needed) == std::string::npos)
					throw PluginException("plugin '" + name + "' needs plugin '" + needed + "', which is not running");
			}
			bringUp(again, previous.state);
			_running.push_back(std::move(again));
			text += "plugin '" + name + "' restarted\n";
		}
		catch (PluginException& e)
		{
			if (again.loaded.plugin) tearDown(again, false, false);
			PluginLoader::forget(previous.loaded);
			park(previous);
			leaveOut(name, e.message());
			text += e.message() + "; it stays stopped\n";
		}
	}
	return text;
}

void PluginRuntime::park(const Running& stopped)
{
	for (const auto& endpoint: stopped.endpoints) endpoint->closeAll();
	if (!stopped.endpoints.empty()) _parked[stopped.loaded.info.name] = stopped.endpoints;
}

void PluginRuntime::leaveOut(const std::string& name, const std::string& reason)
{
	_logger.error("%s; left out", reason);
	_skipped.push_back(PluginLoader::Refusal{name, reason});
}

std::string PluginRuntime::enable(const std::string& name)
{
	std::lock_guard<std::mutex> lock(_lifecycle);
	_configLoader.load();
	if (indexOf(name) != std::string::npos) return "plugin '" + name + "' is already running\n";
	const ConfigLoader::PluginEntry* entry = nullptr;
	for (const auto& declared: _configLoader.plugins())
		if (declared.name == name) entry = &declared;
	if (!entry) throw Poco::NotFoundException("no plugin '" + name + "' is declared in plugins.d");
	if (!_config.getBool(name + ".enabled", true))
		throw Poco::IllegalStateException("plugin '" + name + "' is disabled in " + entry->file);

	Running fresh;
	fresh.loaded = _loader.loadOne(*entry, _config, true);
	auto parked = _parked.find(name);
	if (parked != _parked.end()) fresh.endpoints = parked->second;
	try
	{
		checkSettings(fresh.loaded.info);
		for (const auto& needed: fresh.loaded.info.needs)
		{
			if (indexOf(needed) == std::string::npos)
				throw PluginException("plugin '" + name + "' needs plugin '" + needed + "', which is not running");
		}
		bringUp(fresh, std::string());
	}
	catch (PluginException&)
	{
		tearDown(fresh, false, false);
		throw;
	}
	const std::string version = fresh.loaded.info.version;
	_running.push_back(std::move(fresh));
	_parked.erase(name);
	_skipped.erase(std::remove_if(_skipped.begin(), _skipped.end(), [&name](const PluginLoader::Refusal& refusal)
	{
		return refusal.name == name;
	}), _skipped.end());
	std::string text = "plugin '" + name + "' " + version + " started\n";

	// Plugins that use it and run already looked for it when they started: they start again.
	std::set<std::string> users = dependantsOf(name, false);
	try
	{
		checkStoppable(users);
		text += putBack(takeOut(users));
	}
	catch (Poco::IllegalStateException& e)
	{
		text += "plugins that use it (" + listed(users) + ") see it after a restart of palaverd: " + e.message() + "\n";
	}
	publish();
	_logger.information("plugin %s enabled at run time", name);
	return text;
}

std::string PluginRuntime::disable(const std::string& name)
{
	std::lock_guard<std::mutex> lock(_lifecycle);
	if (indexOf(name) == std::string::npos) return "plugin '" + name + "' is not running\n";
	const std::set<std::string> needers = dependantsOf(name, true);
	if (!needers.empty())
		throw Poco::IllegalStateException("plugin '" + name + "' is needed by " + listed(needers) + ", which run: disable them first");
	std::set<std::string> names = dependantsOf(name, false);
	names.insert(name);
	checkStoppable(names);

	std::vector<Running> taken = takeOut(names);
	std::string text = "plugin '" + name + "' stopped and unloaded\n";
	for (auto it = taken.begin(); it != taken.end(); ++it)
	{
		if (it->loaded.info.name != name) continue;
		PluginLoader::forget(it->loaded);
		park(*it);
		taken.erase(it);
		break;
	}
	text += putBack(std::move(taken));
	publish();
	_logger.information("plugin %s disabled at run time", name);
	return text;
}

std::string PluginRuntime::reload(const std::string& name)
{
	std::lock_guard<std::mutex> lock(_lifecycle);
	_configLoader.load();
	if (indexOf(name) == std::string::npos)
		throw Poco::IllegalStateException("plugin '" + name + "' is not running (palaverctl plugins enable " + name + ")");
	const ConfigLoader::PluginEntry* entry = nullptr;
	for (const auto& declared: _configLoader.plugins())
		if (declared.name == name) entry = &declared;
	if (!entry || !_config.getBool(name + ".enabled", true))
		throw Poco::IllegalStateException("plugin '" + name + "' is no longer enabled in plugins.d (palaverctl plugins disable " + name + ")");
	const std::string path = PluginLoader::resolve(entry->library, _config);
	// Refused before anything stops: the running version keeps serving.
	PluginLoader::checkAbi(path, "plugin '" + name + "' (" + path + "): ");
	std::set<std::string> names = dependantsOf(name, false);
	names.insert(name);
	checkStoppable(names);

	std::vector<Running> taken = takeOut(names);
	if (taken.empty() || taken.front().loaded.info.name != name)
	{
		const std::string failure = putBack(std::move(taken));
		publish();
		throw PluginException("plugin '" + name + "' stopped, but its code could not be unloaded: restart palaverd\n" + failure);
	}
	Running previous = std::move(taken.front());
	taken.erase(taken.begin());
	const std::string before = previous.loaded.info.version;

	Running fresh;
	fresh.endpoints = previous.endpoints;
	std::string failure;
	try
	{
		fresh.loaded = _loader.loadOne(*entry, _config, true);
		checkSettings(fresh.loaded.info);
		bringUp(fresh, previous.state);
		PluginLoader::forget(previous.loaded);
		_running.push_back(std::move(fresh));
	}
	catch (PluginException& e)
	{
		if (fresh.loaded.plugin) tearDown(fresh, false, false);
		failure = "plugin '" + name + "': the new version failed, the previous one runs again: " + e.message() + "\n";
		_logger.error("%s", failure);
		std::vector<Running> old;
		old.push_back(std::move(previous));
		failure += putBack(std::move(old));
	}
	const std::string after = failure.empty() ? _running.back().loaded.info.version : before;
	std::string text = putBack(std::move(taken));
	publish();
	if (!failure.empty()) throw PluginException(failure + text);
	_logger.information("plugin %s reloaded at run time (%s -> %s)", name, before, after);
	return "plugin '" + name + "' reloaded (" + before + " -> " + after + ")\n" + text;
}

void PluginRuntime::publish()
{
	std::lock_guard<std::mutex> lock(_snapshotMutex);
	_infos.clear();
	for (const auto& running: _running) _infos.push_back(running.loaded.info);
	_skippedSnapshot = _skipped;
}

std::vector<PluginInfo> PluginRuntime::plugins() const
{
	std::lock_guard<std::mutex> lock(_snapshotMutex);
	return _infos;
}

void PluginRuntime::checkSettings(const PluginInfo& fresh)
{
	// The last published list still holds what takeOut() stopped for a reload.
	std::vector<PluginInfo> infos = plugins();
	auto namesake = std::find_if(infos.begin(), infos.end(), [&fresh](const PluginInfo& info) { return info.name == fresh.name; });
	if (namesake != infos.end()) *namesake = fresh;
	else infos.push_back(fresh);
	try
	{
		for (const auto& warning: _settings.apply(infos)) _logger.warning(warning);
	}
	catch (Poco::Exception& e)
	{
		throw PluginException(e.message());
	}
}

void PluginRuntime::describe(Poco::JSON::Object& into) const
{
	Poco::JSON::Array::Ptr plugins = new Poco::JSON::Array;
	Poco::JSON::Array::Ptr skipped = new Poco::JSON::Array;
	std::lock_guard<std::mutex> lock(_snapshotMutex);
	for (const auto& info: _infos)
	{
		Poco::JSON::Object::Ptr entry = new Poco::JSON::Object;
		entry->set("name", info.name);
		entry->set("version", info.version);
		plugins->add(entry);
	}
	for (const auto& refusal: _skippedSnapshot)
	{
		Poco::JSON::Object::Ptr entry = new Poco::JSON::Object;
		entry->set("name", refusal.name);
		entry->set("reason", refusal.reason);
		skipped->add(entry);
	}
	into.set("plugins", plugins);
	into.set("skipped", skipped);
}

} } // namespace Palaver::Server
