#include "ConfigLoader.h"
#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/Path.h>
#include <Poco/String.h>
#include <Poco/Util/IniFileConfiguration.h>
#include <algorithm>

namespace Palaver {
namespace Server {

POCO_IMPLEMENT_EXCEPTION(ConfigException, Poco::RuntimeException, "Configuration error")

namespace {

// Priorities of the layers (lower is searched first). Poco keeps its own
// application.* properties at -100 and system.* at 100.
const int OVERRIDE_PRIORITY = -200;
const int MAIN_FILE_PRIORITY = 0;
const int PLUGIN_FILE_PRIORITY = -1;

} // namespace

ConfigLoader::ConfigLoader(Poco::Util::LayeredConfiguration& config, std::string mainFile, std::map<std::string, std::string> overrides):
	_config(config),
	_mainFile(std::move(mainFile)),
	_overrides(new Poco::Util::MapConfiguration)
{
	for (const auto& entry: overrides)
		_overrides->setString(entry.first, entry.second);
	_config.add(_overrides, OVERRIDE_PRIORITY, true);
}

void ConfigLoader::load()
{
	// Read everything first, so that a broken file leaves the running configuration as it was.
	checkSyntax(_mainFile);
	Poco::Path mainPath(_mainFile);
	mainPath.makeAbsolute();
	// What ${application.configDir} means in the files: the main file's folder.
	_config.setString("application.configDir", mainPath.parent().toString());
	Poco::Util::AbstractConfiguration::Ptr main = new Poco::Util::IniFileConfiguration(mainPath.toString());

	std::vector<Poco::Util::AbstractConfiguration::Ptr> pluginLayers;
	std::vector<PluginEntry> plugins;
	std::string dir = _overrides->getString("plugins.config_dir", main->getString("plugins.config_dir", ""));
	if (!dir.empty())
	{
		// Expand ${...} references against the whole configuration, new main file included.
		_config.add(main, MAIN_FILE_PRIORITY + 1, false);
		try
		{
			dir = _config.expand(dir);
		}
		catch (...)
		{
			_config.removeConfiguration(main);
			throw;
		}
		_config.removeConfiguration(main);
		for (const auto& file: listIniFiles(dir))
		{
			checkSyntax(file);
			Poco::AutoPtr<Poco::Util::IniFileConfiguration> layer = new Poco::Util::IniFileConfiguration(file);
			Poco::Util::AbstractConfiguration::Keys sections;
			layer->keys(sections);
			for (const auto& section: sections)
			{
				if (!layer->hasProperty(section + ".library")) continue;
				auto known = std::find_if(plugins.begin(), plugins.end(), [&](const PluginEntry& p) { return p.name == section; });
				if (known != plugins.end())
					throw ConfigException(file + ": plugin '" + section + "' is already declared in " + known->file);
				plugins.push_back({section, layer->getRawString(section + ".library"), file});
			}
			pluginLayers.push_back(layer);
		}
	}

	removeFileLayers();
	_config.add(main, MAIN_FILE_PRIORITY, false);
	_fileLayers.push_back(main);
	for (auto& layer: pluginLayers)
	{
		_config.add(layer, PLUGIN_FILE_PRIORITY, false);
		_fileLayers.push_back(layer);
	}
	_plugins = std::move(plugins);
}

std::vector<std::string> ConfigLoader::listIniFiles(const std::string& dir)
{
	Poco::File folder(dir);
	if (!folder.exists() || !folder.isDirectory())
		throw ConfigException("[plugins] config_dir is not a folder", dir);
	std::vector<std::string> files;
	for (Poco::DirectoryIterator it(folder), end; it != end; ++it)
	{
		if (Poco::endsWith(it.name(), std::string(".ini")) && it->isFile()) files.push_back(it.path().toString());
	}
	std::sort(files.begin(), files.end());
	return files;
}

void ConfigLoader::removeFileLayers()
{
	for (auto& layer: _fileLayers)
		_config.removeConfiguration(layer);
	_fileLayers.clear();
}

std::map<std::string, std::string> ConfigLoader::takeOverrides(std::vector<std::string>& arguments)
{
	std::map<std::string, std::string> overrides;
	auto isOverride = [](const std::string& argument)
	{
		const auto equals = argument.find('=');
		const auto dot = argument.find('.');
		return Poco::startsWith(argument, std::string("--")) && dot != std::string::npos && equals != std::string::npos && dot < equals;
	};
	for (const auto& argument: arguments)
	{
		if (!isOverride(argument)) continue;
		const auto equals = argument.find('=');
		overrides[argument.substr(2, equals - 2)] = argument.substr(equals + 1);
	}
	arguments.erase(std::remove_if(arguments.begin(), arguments.end(), isOverride), arguments.end());
	return overrides;
}

void ConfigLoader::checkSyntax(const std::string& path)
{
	Poco::File file(path);
	if (!file.exists()) throw ConfigException("configuration file not found", path);
	Poco::FileInputStream stream(path);
	std::string line;
	int number = 0;
	while (std::getline(stream, line))
	{
		++number;
		const std::string text = Poco::trim(line);
		if (text.empty() || text[0] == ';' || text[0] == '#') continue;
		const bool section = text[0] == '[' && text.back() == ']' && text.size() > 2;
		const auto equals = text.find('=');
		const bool assignment = equals != std::string::npos && equals > 0 && text[0] != '[';
		if (!section && !assignment)
			throw ConfigException(path + ":" + std::to_string(number) + ": expected [section] or key = value, got: " + text);
	}
}

} } // namespace Palaver::Server
