#include "PluginContextImpl.h"
#include <Poco/File.h>
#include <Poco/Logger.h>
#include <Poco/Path.h>

namespace Palaver {
namespace Server {

PluginContextImpl::PluginContextImpl(const std::string& pluginName, const CoreServices& core):
	_name(pluginName),
	_core(core),
	_section(core.config->createView(pluginName)),
	_logger(Poco::Logger::get("palaver." + pluginName))
{
}

std::string PluginContextImpl::stateDirectory() const
{
	Poco::Path path(_core.config->getString("server.state_dir", "var"));
	path.makeDirectory();
	path.pushDirectory(_name);
	Poco::File(path).createDirectories();
	return path.toString();
}

} } // namespace Palaver::Server
