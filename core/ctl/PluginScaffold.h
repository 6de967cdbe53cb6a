//
// PluginScaffold.h
//

#ifndef Palaver_Ctl_PluginScaffold_INCLUDED
#define Palaver_Ctl_PluginScaffold_INCLUDED

#include <ostream>
#include <string>

namespace Palaver {
namespace Ctl {

/// palaverctl new-plugin NAME (as drogon_ctl create plugin): a new plugin's
/// folder, NAME/ under the current one, that builds against the installed
/// SDK (find_package(Palaver <this API>) and palaver_add_plugin) and loads:
///   CMakeLists.txt, <Class>Plugin.cpp (a route GET /NAME and a declared
///   setting "greeting"), NAME.ini (its plugins.d section), README.md
class PluginScaffold
{
public:
	/// Throws Poco::InvalidArgumentException, saying why, unless name is a
	/// plugin name: a lower-case letter, then lower-case letters, digits and
	/// '_', at most 32 characters, and not a shipped plugin's.
	static void checkName(const std::string& name);

	/// "live_counter" -> "LiveCounter": the plugin's namespace and class prefix.
	static std::string className(const std::string& name);

	/// Writes the folder parent/name; says what it wrote on out. Throws
	/// Poco::InvalidArgumentException for a bad name, Poco::ExistsException
	/// when parent/name exists (nothing is overwritten), Poco::FileException
	/// when it cannot write.
	static void write(const std::string& name, const std::string& parent, std::ostream& out);
};

} } // namespace Palaver::Ctl

#endif
