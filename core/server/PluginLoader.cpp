#include "PluginLoader.h"
#include "PluginAbiReader.h"
#include <Poco/File.h>
#include <Poco/Path.h>
#include <algorithm>
#include <cstring>
#include <dlfcn.h>
#include <fcntl.h>
#include <functional>
#include <map>
#include <unistd.h>

namespace Palaver {
namespace Server {

POCO_IMPLEMENT_EXCEPTION(PluginException, Poco::RuntimeException, "Plugin refused")

namespace {

// The ABI record of a library; throws PluginException when it refuses it.
PalaverPluginAbi abiOf(const std::string& path, const std::string& who)
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
	return record;
}

// Whether the dynamic linker still has image in memory.
bool resident(const std::string& image)
{
	void* handle = ::dlopen(image.c_str(), RTLD_LAZY | RTLD_NOLOAD);
	if (!handle) return false;
	::dlclose(handle);
	return true;
}

} // namespace

PluginLoader::PluginLoader() = default;

PluginLoader::~PluginLoader()
{
	// Instances first: their code lives in the libraries.
	while (!_plugins.empty())
	{
		_plugins.back().plugin.reset();
		if (_plugins.back().file >= 0) ::close(_plugins.back().file);
		_plugins.pop_back();
	}
}

std::string PluginLoader::resolve(const std::string& library, const Poco::Util::AbstractConfiguration& config)
{
	if (library.find('/') != std::string::npos) return library;
	Poco::Path path(config.getString("plugins.directory", "."));
	path.makeDirectory();
	path.setFileName(library + Poco::SharedLibrary::suffix());
	return path.toString();
}

void PluginLoader::load(const std::vector<ConfigLoader::PluginEntry>& entries, const Poco::Util::AbstractConfiguration& config,
	bool skipRefused)
{
	for (const auto& entry: entries)
	{
		if (!config.getBool(entry.name + ".enabled", true)) continue;
		try
		{
			_plugins.push_back(loadOne(entry, config));
		}
		catch (PluginException& e)
		{
			if (!skipRefused) throw;
			_refused.push_back(Refusal{entry.name, e.message()});
		}
	}
	order(skipRefused);
}

PluginLoader::Loaded PluginLoader::loadOne(const ConfigLoader::PluginEntry& entry, const Poco::Util::AbstractConfiguration& config,
	bool fresh)
{
	const std::string path = resolve(entry.library, config);
	const std::string who = "plugin '" + entry.name + "' (" + path + "): ";
	if (!Poco::File(path).exists())
		throw PluginException(who + "shared object not found");
	checkAbi(path, who);
	if (fresh && resident(path))
		throw PluginException(who + "an earlier version of it is still in memory (built without palaver_add_plugin's -Bsymbolic and -fno-gnu-unique?); restart palaverd to load this one");
	return open(entry.name, path, path, entry.file, -1);
}

PluginLoader::Loaded PluginLoader::loadAgain(const Loaded& loaded)
{
	const int file = loaded.file < 0 ? -1 : ::fcntl(loaded.file, F_DUPFD_CLOEXEC, 0);
	if (file < 0) throw PluginException("plugin '" + loaded.info.name + "': its earlier version is no longer at hand");
	// The descriptor's own path: the file may have been replaced since.
	return open(loaded.info.name, loaded.path, "/proc/self/fd/" + std::to_string(file), std::string(), file);
}

PluginLoader::Loaded PluginLoader::open(const std::string& name, const std::string& path, const std::string& image,
	const std::string& file, int descriptor)
{
	Loaded loaded;
	loaded.path = path;
	loaded.image = image;
	const std::string who = "plugin '" + name + "' (" + path + "): ";
	// Kept open, so that this version can be loaded again once the file was replaced.
	loaded.file = descriptor >= 0 ? descriptor : ::open(image.c_str(), O_RDONLY | O_CLOEXEC);
	try
	{
		abiOf(image, who);  // throws for another API, POCO or C++ library
		_classLoader.loadLibrary(image);
	}
	catch (PluginException&)
	{
		forget(loaded);
		throw;
	}
	catch (Poco::Exception& e)
	{
		forget(loaded);
		throw PluginException(who + "does not load: " + e.message());
	}
	try
	{
		const auto* manifest = _classLoader.findManifest(image);
		if (!manifest || manifest->size() != 1)
			throw PluginException(who + "must export exactly one Palaver::Plugin with PALAVER_PLUGIN");
		loaded.plugin.reset(manifest->begin()->create());
		loaded.info = loaded.plugin->info();
		if (loaded.info.name != name)
			throw PluginException(who + "calls itself '" + loaded.info.name + "'; its section in " + file + " must be [" + loaded.info.name + "]");
	}
	catch (PluginException&)
	{
		unload(loaded);
		throw;
	}
	return loaded;
}

bool PluginLoader::unload(Loaded& loaded, bool keepFile)
{
	loaded.plugin.reset();
	if (!loaded.image.empty() && _classLoader.isLibraryLoaded(loaded.image)) _classLoader.unloadLibrary(loaded.image);
	if (!keepFile) forget(loaded);
	return loaded.image.empty() || !resident(loaded.image);
}

void PluginLoader::forget(Loaded& loaded)
{
	if (loaded.file < 0) return;
	::close(loaded.file);
	loaded.file = -1;
}

void PluginLoader::checkAbi(const std::string& path, const std::string& who)
{
	abiOf(path, who);
}

void PluginLoader::refuse(std::size_t index, const std::string& reason)
{
	_refused.push_back(Refusal{_plugins[index].info.name, reason});
	unload(_plugins[index]);
	_plugins.erase(_plugins.begin() + static_cast<std::ptrdiff_t>(index));
}

void PluginLoader::order(bool skipRefused)
{
	// Missing dependencies; with skipRefused, leaving one out may leave out more.
	for (bool changed = true; changed;)
	{
		changed = false;
		std::map<std::string, std::size_t> byName;
		for (std::size_t i = 0; i < _plugins.size(); ++i) byName[_plugins[i].info.name] = i;
		for (std::size_t i = 0; i < _plugins.size() && !changed; ++i)
		{
			for (const auto& needed: _plugins[i].info.needs)
			{
				if (byName.count(needed)) continue;
				const std::string reason = "plugin '" + _plugins[i].info.name + "' needs plugin '" + needed + "', which is not enabled";
				if (!skipRefused) throw PluginException(reason);
				refuse(i, reason);
				changed = true;
				break;
			}
		}
	}

	// Depth-first topological sort, in configuration order where free.
	std::map<std::string, std::size_t> byName;
	for (std::size_t i = 0; i < _plugins.size(); ++i) byName[_plugins[i].info.name] = i;
	enum class Mark { None, Visiting, Done };
	std::vector<Mark> marks(_plugins.size(), Mark::None);
	std::vector<std::size_t> sorted;
	std::vector<std::size_t> path;
	std::function<void(std::size_t)> visit = [&](std::size_t i)
	{
		if (marks[i] == Mark::Done) return;
		path.push_back(i);
		if (marks[i] == Mark::Visiting)
		{
			auto start = std::find(path.begin(), path.end(), i);
			std::string cycle;
			for (auto it = start; it != path.end(); ++it) cycle += (cycle.empty() ? "" : " -> ") + _plugins[*it].info.name;
			throw PluginException("plugin '" + _plugins[i].info.name + "' is part of a dependency cycle: " + cycle);
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
	try
	{
		for (std::size_t i = 0; i < _plugins.size(); ++i) visit(i);
	}
	catch (PluginException& e)
	{
		if (!skipRefused) throw;
		// Every plugin of the cycle is left out, then what remains is ordered again.
		std::vector<std::size_t> cycle(std::find(path.begin(), path.end(), path.back()), path.end() - 1);
		std::sort(cycle.rbegin(), cycle.rend());
		for (const std::size_t i: cycle) refuse(i, e.message());
		order(skipRefused);
		return;
	}

	std::vector<Loaded> ordered;
	for (auto i: sorted) ordered.push_back(std::move(_plugins[i]));
	_plugins = std::move(ordered);
}

} } // namespace Palaver::Server
