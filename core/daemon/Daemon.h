//
// Daemon.h
//

#ifndef Palaver_Daemon_INCLUDED
#define Palaver_Daemon_INCLUDED

#include <Poco/Util/ServerApplication.h>
#include <map>
#include <string>

namespace Palaver {

namespace Server { class Core; }

/// palaverd: reads the configuration, loads the plugins, serves HTTP until
/// SIGTERM or SIGINT, and re-reads the configuration on SIGHUP.
class Daemon: public Poco::Util::ServerApplication
{
public:
	explicit Daemon(std::map<std::string, std::string> overrides);

protected:
	void defineOptions(Poco::Util::OptionSet& options) override;
	void handleOption(const std::string& name, const std::string& value) override;
	int main(const std::vector<std::string>& arguments) override;

private:
	void setUpLogging();
	void applyLogLevels();
	int serve(Server::Core& core);

	std::map<std::string, std::string> _overrides;
	std::string _configFile;
	bool _helpRequested = false;
	bool _versionRequested = false;
	bool _checkOnly = false;
	bool _referenceRequested = false;
};

} // namespace Palaver

#endif
