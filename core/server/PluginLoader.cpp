#include "PluginLoader.h"
#include "PluginAbiReader.h"
#include <Poco/File.h>
#include <Poco/Path.h>
#include <algorithm>
#include <cstring>
#include <functional>
#include <map>

namespace Palaver {
namespace Server {

POCO_IMPLEMENT_EXCEPTION(PluginException, Poco::RuntimeException, "Plugin refused")

PluginLoader::PluginLoader() = default;

PluginLoader::~PluginLoader()
{
	// Instances first: their code lives in the libraries.
	while (!_plugins.empty()) _plugins.pop_back();
}

std::string PluginLoader::resolve(const std::string& library, const Poco::Util::AbstractConfiguration& config)
{
	if (library.find('/') != std::string::npos) return library;
	Poco::Path path(config.getString("plugins.directory", "."));
	path.makeDirectory();
	path.setFileName(library + Poco::SharedLibrary::suffix());
	return path.toString();
}

void PluginLoader::load(const std::vector<ConfigLoader::PluginEntry>& entries, const Poco::Util::AbstractConfiguration& config)
{
	for (const auto& entry: entries)
	{
		if (!config.getBool(entry.name + ".enabled", true)) continue;
		_plugins.push_back(loadOne(entry, config));
	}
	order();
}

PluginLoader::Loaded PluginLoader::loadOne(const ConfigLoader::PluginEntry& entry, const Poco::Util::AbstractConfiguration& config)
{
	Loaded loaded;
	loaded.path = resolve(entry.library, config);
	const std::string who = "plugin '" + entry.name + "' (" + loaded.path + "): ";
	if (!Poco::File(loaded.path).exists())
		throw PluginException(who + "shared object not found");
	checkAbi(loaded.path, who);
	try
	{
		_classLoader.loadLibrary(loaded.path);
	}
	catch (Poco::Exception& e)
	{
		throw PluginException(who + "does not load: " + e.message());
	}
	const auto* manifest = _classLoader.findManifest(loaded.path);
	if (!manifest || manifest->size() != 1)
		throw PluginException(who + "must export exactly one Palaver::Plugin with PALAVER_PLUGIN");
	loaded.plugin.reset(manifest->begin()->create());
	loaded.info = loaded.plugin->info();

	const PluginInfo& info = loaded.info;
	if (info.name != entry.name)
		throw PluginException(who + "calls itself '" + info.name + "'; its section in " + entry.file + " must be [" + info.name + "]");
	return loaded;
}

void PluginLoader::checkAbi(const std::string& path, const std::string& who)
{
	PalaverPluginAbi record;
	const auto outcome = PluginAbiReader::read(path, record);
	if (outcome == PluginAbiReader::Outcome::NotElf)
		throw PluginException(who + "does not load: not an ELF shared object of this machine");
	const PalaverPluginAbi own = PluginAbiReader::own();
	if (outcome == PluginAbiReader::Outcome::NoRecord || std::strcmp(record.magic, PALAVER_PLUGIN_MAGIC) != 0)
		throw PluginException(who + "has no Palaver ABI record: built for a plugin API older than 3.0, or without PALAVER_PLUGIN; rebuild it against this palaverd's SDK");
	if (record.apiMajor != own.apiMajor || record.apiMinor > own.apiMinor)
		throw PluginException(who + "built for plugin API " + std::to_string(record.apiMajor) + "." + std::to_string(record.apiMinor)
			+ ", this palaverd offers " + std::to_string(own.apiMajor) + "." + std::to_string(own.apiMinor));
	if (record.pocoVersion != own.pocoVersion)
		throw PluginException(who + "built against POCO " + PluginAbiReader::pocoVersionText(record.pocoVersion)
			+ ", this palaverd runs POCO " + PluginAbiReader::pocoVersionText(own.pocoVersion));
	if (std::strcmp(record.cxxLibrary, own.cxxLibrary) != 0)
		throw PluginException(who + "built with the C++ library '" + record.cxxLibrary + "' (" + record.compiler
			+ "), this palaverd uses '" + own.cxxLibrary + "' (" + own.compiler + ")");
}

void PluginLoader::order()
{
	std::map<std::string, std::size_t> byName;
	for (std::size_t i = 0; i < _plugins.size(); ++i) byName[_plugins[i].info.name] = i;

	for (const auto& loaded: _plugins)
	{
		for (const auto& needed: loaded.info.needs)
		{
			if (!byName.count(needed))
				throw PluginException("plugin '" + loaded.info.name + "' needs plugin '" + needed + "', which is not enabled");
		}
	}

	// Depth-first topological sort, in configuration order where free.
	enum class Mark { None, Visiting, Done };
	std::vector<Mark> marks(_plugins.size(), Mark::None);
	std::vector<std::size_t> sorted;
	std::vector<std::string> path;
	std::function<void(std::size_t)> visit = [&](std::size_t i)
	{
		if (marks[i] == Mark::Done) return;
		path.push_back(_plugins[i].info.name);
		if (marks[i] == Mark::Visiting)
		{
			std::string cycle;
			auto start = std::find(path.begin(), path.end(), path.back());
			for (auto it = start; it != path.end(); ++it) cycle += (cycle.empty() ? "" : " -> ") + *it;
			throw PluginException("plugin '" + path.back() + "' is part of a dependency cycle: " + cycle);
		}
		marks[i] = Mark::Visiting;
		std::vector<std::string> before = _plugins[i].info.needs;
		before.insert(before.end(), _plugins[i].info.uses.begin(), _plugins[i].info.uses.end());
		for (const auto& name: before)
		{
			auto it = byName.find(name);
			if (it != byName.end()) visit(it->second);
		}
		marks[i] = Mark::Done;
		path.pop_back();
		sorted.push_back(i);
	};
	for (std::size_t i = 0; i < _plugins.size(); ++i) visit(i);

	std::vector<Loaded> ordered;
	for (auto i: sorted) ordered.push_back(std::move(_plugins[i]));
	_plugins = std::move(ordered);
}

} } // namespace Palaver::Server
