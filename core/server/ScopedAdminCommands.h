//
// ScopedAdminCommands.h
//

#ifndef Palaver_Server_ScopedAdminCommands_INCLUDED
#define Palaver_Server_ScopedAdminCommands_INCLUDED

#include "palaver/services/AdminCommands.h"
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace Palaver {
namespace Server {

class AdminServer;
class PluginGate;

/// What a plugin finds as the AdminCommands service: its commands go to the
/// admin socket, guarded by the plugin's gate, and withdraw() removes them.
/// Thread-safe.
class ScopedAdminCommands: public AdminCommands
{
public:
	ScopedAdminCommands(AdminServer& admin, std::shared_ptr<PluginGate> gate, std::string pluginName);

	void add(const std::string& name, const std::string& usage, Handler handler) override;

	/// Removes every command this plugin added.
	void withdraw();

private:
	AdminServer& _admin;
	const std::shared_ptr<PluginGate> _gate;
	const std::string _pluginName;
	std::mutex _mutex;
	std::vector<std::string> _names;  /// guarded by _mutex
};

} } // namespace Palaver::Server

#endif
