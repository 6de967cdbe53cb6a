//
// PluginSwitch.h
//

#ifndef Palaver_Ctl_PluginSwitch_INCLUDED
#define Palaver_Ctl_PluginSwitch_INCLUDED

#include <ostream>
#include <string>

namespace Palaver {
namespace Ctl {

/// Lists, enables and disables the plugins declared in plugins.d, the way
/// a2enmod/a2dismod do for Apache: by editing the "enabled" line of the
/// plugin's own .ini file, nothing else in it.
class PluginSwitch
{
public:
	/// configFile: palaver.ini, whose [plugins] config_dir names plugins.d.
	explicit PluginSwitch(const std::string& configFile);

	void list(std::ostream& out) const;

	/// Sets "<name>.enabled"; returns false (and says so) when it already was.
	/// Throws Poco::NotFoundException for a plugin no file declares.
	bool setEnabled(const std::string& name, bool enabled, std::ostream& out) const;

private:
	std::string _configFile;
};

} } // namespace Palaver::Ctl

#endif
