#include "PluginSettings.h"
#include "ConfigLoader.h"
#include "palaver/ServiceCaller.h"
#include "palaver/Setting.h"
#include <algorithm>

namespace Palaver {
namespace Server {

namespace {

// Below every layer palaverd and Poco's Application add (PRIO_SYSTEM is 100).
const int DEFAULTS_PRIORITY = 1000;

bool declared(const PluginInfo& plugin, const std::string& key)
{
	return std::any_of(plugin.settings.begin(), plugin.settings.end(), [&key](const Setting& s) { return s.key == key; });
}

} // namespace

const std::vector<std::string> PluginSettings::CORE_KEYS = {"library", "enabled", ServiceCaller::POST_AS_KEY};

PluginSettings::PluginSettings(Poco::Util::LayeredConfiguration& config):
	_config(config),
	_defaults(new Poco::Util::MapConfiguration)
{
	_config.add(_defaults, "plugin-defaults", DEFAULTS_PRIORITY, false);
}

PluginSettings::~PluginSettings()
{
	_config.removeConfiguration(_defaults);
}

std::vector<std::string> PluginSettings::apply(const std::vector<PluginInfo>& plugins)
{
	std::vector<std::string> warnings;
	for (const auto& plugin: plugins)
	{
		const std::string& section = plugin.name;
		const std::string postAs = section + "." + ServiceCaller::POST_AS_KEY;
		if (_config.has(postAs))
		{
			const std::string value = _config.getString(postAs);
			try
			{
				ServiceCaller::parsePostAs(value);
			}
			catch (const Poco::InvalidArgumentException&)
			{
				throw ConfigException("[" + section + "] " + ServiceCaller::POST_AS_KEY + " = " + value + ": must be service or any");
			}
		}
		for (const auto& setting: plugin.settings)
		{
			const std::string path = section + "." + setting.key;
			if (!_config.has(path) || (_defaults->has(path) && _config.getRawString(path) == _defaults->getRawString(path))) continue;
			const std::string value = _config.getRawString(path);
			const std::string problem = setting.check(value);
			if (!problem.empty())
				throw ConfigException("[" + section + "] " + setting.key + " = " + value + ": " + problem);
		}
		if (plugin.settings.empty()) continue;
		Poco::Util::AbstractConfiguration::Keys keys;
		_config.keys(section, keys);
		for (const auto& key: keys)
		{
			if (declared(plugin, key) || std::count(CORE_KEYS.begin(), CORE_KEYS.end(), key)) continue;
			warnings.push_back("[" + section + "] " + key + ": unknown key (plugin " + section + " declares no such setting), ignored");
		}
	}
	_defaults->clear();
	for (const auto& plugin: plugins)
		for (const auto& setting: plugin.settings)
			_defaults->setString(plugin.name + "." + setting.key, setting.defaultValue);
	return warnings;
}

std::string PluginSettings::describe(const PluginInfo& plugin, const Poco::Util::AbstractConfiguration& config)
{
	if (plugin.settings.empty()) return "plugin " + plugin.name + " declares no settings\n";
	std::string text;
	for (const auto& setting: plugin.settings)
	{
		text += setting.key + " = " + config.getRawString(plugin.name + "." + setting.key, setting.defaultValue)
			+ "  (" + setting.describe() + ", default " + (setting.defaultValue.empty() ? "empty" : setting.defaultValue) + "): " + setting.help + "\n";
	}
	return text;
}

std::string PluginSettings::reference(const std::vector<PluginInfo>& plugins)
{
	std::vector<const PluginInfo*> sorted;
	for (const auto& plugin: plugins) sorted.push_back(&plugin);
	std::sort(sorted.begin(), sorted.end(), [](const PluginInfo* a, const PluginInfo* b) { return a->name < b->name; });
	std::string text;
	for (const PluginInfo* plugin: sorted)
	{
		if (plugin->settings.empty()) continue;
		text += "\n### [" + plugin->name + "]\n\n| key | allowed | default | what |\n| --- | --- | --- | --- |\n";
		for (const auto& setting: plugin->settings)
			text += "| `" + setting.key + "` | " + setting.describe() + " | " + (setting.defaultValue.empty() ? "" : "`" + setting.defaultValue + "`")
				+ " | " + setting.help + " |\n";
	}
	return text;
}

} } // namespace Palaver::Server
