#include "PluginSwitch.h"
#include "ConfigLoader.h"
#include <Poco/AutoPtr.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/String.h>
#include <Poco/Util/LayeredConfiguration.h>
#include <Poco/Util/SystemConfiguration.h>
#include <iomanip>
#include <sstream>
#include <vector>

namespace Palaver {
namespace Ctl {

namespace {

struct Declared
{
	std::vector<Server::ConfigLoader::PluginEntry> plugins;
	Poco::AutoPtr<Poco::Util::LayeredConfiguration> config;
};

Declared readPlugins(const std::string& configFile)
{
	Declared declared;
	declared.config = new Poco::Util::LayeredConfiguration;
	Server::ConfigLoader loader(*declared.config, configFile, {});
	loader.load();
	declared.plugins = loader.plugins();
	return declared;
}

// Rewrites (or adds) the "enabled" line of [section] in an ini file's text.
std::string withEnabled(const std::string& text, const std::string& section, bool enabled)
{
	std::istringstream in(text);
	std::ostringstream out;
	std::string line;
	bool inSection = false;
	bool written = false;
	const std::string value = std::string("enabled = ") + (enabled ? "true" : "false");
	while (std::getline(in, line))
	{
		const std::string trimmed = Poco::trim(line);
		if (!trimmed.empty() && trimmed[0] == '[')
		{
			if (inSection && !written) { out << value << "\n"; written = true; }
			inSection = Poco::trim(trimmed.substr(1, trimmed.find(']') - 1)) == section;
			out << line << "\n";
			continue;
		}
		const auto equals = trimmed.find('=');
		if (inSection && equals != std::string::npos && Poco::trim(trimmed.substr(0, equals)) == "enabled")
		{
			if (!written) out << value << "\n";
			written = true;
			continue;
		}
		out << line << "\n";
	}
	if (!written) out << value << "\n";
	return out.str();
}

} // namespace

PluginSwitch::PluginSwitch(const std::string& configFile):
	_configFile(configFile)
{
}

void PluginSwitch::list(std::ostream& out) const
{
	const Declared declared = readPlugins(_configFile);
	for (const auto& plugin: declared.plugins)
	{
		const bool enabled = declared.config->getBool(plugin.name + ".enabled", true);
		out << std::left << std::setw(16) << plugin.name << std::setw(10) << (enabled ? "enabled" : "disabled") << plugin.file << "\n";
	}
}

bool PluginSwitch::setEnabled(const std::string& name, bool enabled, std::ostream& out) const
{
	const Declared declared = readPlugins(_configFile);
	const Server::ConfigLoader::PluginEntry* entry = nullptr;
	std::string known;
	for (const auto& plugin: declared.plugins)
	{
		if (plugin.name == name) entry = &plugin;
		known += (known.empty() ? "" : ", ") + plugin.name;
	}
	if (!entry)
		throw Poco::NotFoundException("unknown plugin '" + name + "' (known: " + (known.empty() ? "none" : known) + ")");

	const char* state = enabled ? "enabled" : "disabled";
	if (declared.config->getBool(name + ".enabled", true) == enabled)
	{
		out << "plugin '" << name << "' is already " << state << "; nothing changed\n";
		return false;
	}

	std::string text;
	{
		Poco::FileInputStream in(entry->file);
		std::ostringstream buffer;
		buffer << in.rdbuf();
		text = buffer.str();
	}
	// Write beside, then rename: palaverd never reads a half-written file.
	const std::string temporary = entry->file + ".palaverctl";
	{
		Poco::FileOutputStream outFile(temporary);
		outFile << withEnabled(text, name, enabled);
	}
	Poco::File(temporary).renameTo(entry->file);
	out << "plugin '" << name << "' " << state << " in " << entry->file << "\n";
	return true;
}

} } // namespace Palaver::Ctl
