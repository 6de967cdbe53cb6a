#include "ScopedAdminCommands.h"
#include "AdminServer.h"
#include "PluginGate.h"

namespace Palaver {
namespace Server {

ScopedAdminCommands::ScopedAdminCommands(AdminServer& admin, std::shared_ptr<PluginGate> gate, std::string pluginName):
	_admin(admin),
	_gate(std::move(gate)),
	_pluginName(std::move(pluginName))
{
}

void ScopedAdminCommands::add(const std::string& name, const std::string& usage, Handler handler)
{
	const std::string plugin = _pluginName;
	Handler stopped = [plugin](const std::vector<std::string>&) -> std::string
	{
		throw Poco::IllegalStateException("plugin '" + plugin + "' is stopping");
	};
	_admin.add(name, usage, _gate->guard(std::move(handler), std::move(stopped)));
	std::lock_guard<std::mutex> lock(_mutex);
	_names.push_back(name);
}

void ScopedAdminCommands::withdraw()
{
	std::lock_guard<std::mutex> lock(_mutex);
	for (const auto& name: _names) _admin.remove(name);
	_names.clear();
}

} } // namespace Palaver::Server
