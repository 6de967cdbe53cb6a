//
// ConfigLoader.h
//

#ifndef Palaver_Server_ConfigLoader_INCLUDED
#define Palaver_Server_ConfigLoader_INCLUDED

#include <Poco/AutoPtr.h>
#include <Poco/Exception.h>
#include <Poco/Util/LayeredConfiguration.h>
#include <Poco/Util/MapConfiguration.h>
#include <map>
#include <string>
#include <vector>

namespace Palaver {
namespace Server {

POCO_DECLARE_EXCEPTION(, ConfigException, Poco::RuntimeException)

/// Builds palaverd's configuration in layers, searched in this order:
/// command-line overrides, then plugins.d/*.ini, then the
/// main file. load() can run again (SIGHUP) and replaces the file layers.
class ConfigLoader
{
public:
	/// A plugin declared in plugins.d: a section with a "library" key.
	struct PluginEntry
	{
		std::string name;     /// the section's name
		std::string library;  /// as written: "palaver-auth" or a path
		std::string file;     /// the .ini that declared it
	};

	/// overrides: "section.key" -> value, from --section.key=value.
	ConfigLoader(Poco::Util::LayeredConfiguration& config, std::string mainFile, std::map<std::string, std::string> overrides);

	/// Reads the main file, then every *.ini of [plugins] config_dir in name
	/// order. Throws ConfigException naming the file (and line) at fault.
	void load();

	const std::vector<PluginEntry>& plugins() const { return _plugins; }

	/// Splits "--section.key=value" arguments out of argv into overrides.
	static std::map<std::string, std::string> takeOverrides(std::vector<std::string>& arguments);

	/// Checks that every line of an ini file is blank, a comment, a [section]
	/// or a key = value; throws ConfigException("file:line: ...") otherwise.
	static void checkSyntax(const std::string& path);

private:
	void removeFileLayers();
	static std::vector<std::string> listIniFiles(const std::string& dir);

	Poco::Util::LayeredConfiguration& _config;
	std::string _mainFile;
	Poco::AutoPtr<Poco::Util::MapConfiguration> _overrides;
	std::vector<Poco::Util::AbstractConfiguration::Ptr> _fileLayers;
	std::vector<PluginEntry> _plugins;
};

} } // namespace Palaver::Server

#endif
