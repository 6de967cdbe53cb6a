// palaverctl: administration of an installed palaverd.
//   palaverctl [--config=FILE] [--socket=PATH] plugins list|enable NAME|disable NAME|reload NAME
//   palaverctl [--config=FILE] [--socket=PATH] COMMAND ...   (on the running daemon)
//   palaverctl new-plugin NAME   (a new plugin's folder, ./NAME/)
#include "AdminClient.h"
#include "PluginScaffold.h"
#include "PluginSwitch.h"
#include <Poco/Exception.h>
#include <Poco/Path.h>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#ifndef PALAVER_DEFAULT_CONFIG
#define PALAVER_DEFAULT_CONFIG "/etc/palaver/palaver.ini"
#endif

namespace {

int usage()
{
	std::cerr << "usage: palaverctl [--config=FILE] plugins list\n"
	             "       palaverctl [--config=FILE] [--socket=PATH] plugins enable NAME   (plugins.d, and the running daemon)\n"
	             "       palaverctl [--config=FILE] [--socket=PATH] plugins disable NAME  (plugins.d, and the running daemon)\n"
	             "       palaverctl [--config=FILE] [--socket=PATH] plugins reload NAME   (the running daemon)\n"
	             "       palaverctl [--config=FILE] [--socket=PATH] plugins config NAME   (its declared settings, on the running daemon)\n"
	             "       palaverctl [--config=FILE] [--socket=PATH] users list|disable NAME|enable NAME|delete NAME|reset-password NAME\n"
	             "       palaverctl [--config=FILE] [--socket=PATH] invite create [--uses N] [--expires 7d]\n"
	             "       palaverctl [--config=FILE] [--socket=PATH] backup FILE\n"
	             "       palaverctl [--config=FILE] [--socket=PATH] help   (the running daemon's commands)\n"
	             "       palaverctl new-plugin NAME   (a new plugin's source folder, ./NAME/, for the installed SDK)\n"
	             "FILE defaults to " PALAVER_DEFAULT_CONFIG "; PATH to its [server] admin_socket\n";
	return 2;
}

// Enables or disables a plugin in plugins.d and on the running daemon, if
// one answers; says which happened. A disable the daemon refuses (a running
// plugin needs it) leaves the file as it was, and so does an enable it
// refuses (the plugin does not load), so that the next start does what runs now.
int switchPlugin(const std::string& config, const std::string& socket, const std::string& verb, const std::string& name)
{
	const bool enable = verb == "enable";
	Palaver::Ctl::PluginSwitch plugins(config);
	std::string path = socket;
	try
	{
		if (path.empty()) path = Palaver::Ctl::AdminClient::socketFromConfig(config);
	}
	catch (Poco::InvalidArgumentException& e)
	{
		plugins.setEnabled(name, enable, std::cout);
		std::cout << e.message() << "; or restart palaverd to apply it\n";
		return 0;
	}
	Palaver::Ctl::AdminClient daemon(path);
	if (!daemon.reachable())
	{
		plugins.setEnabled(name, enable, std::cout);
		std::cout << "no palaverd answers on " << path << ": restart palaverd to apply it (systemctl restart palaver)\n";
		return 0;
	}
	// The daemon reads the section of a plugin it enables: the file first.
	const bool changed = enable && plugins.setEnabled(name, true, std::cout);
	std::ostringstream answer;
	const int status = daemon.run({"plugins", verb, name}, answer, answer);
	if (status != 0)
	{
		if (changed) plugins.setEnabled(name, false, std::cout);
		std::cerr << "the running palaverd refused: " << answer.str();
		return status;
	}
	if (!enable) plugins.setEnabled(name, false, std::cout);
	std::cout << "the running palaverd: " << answer.str();
	return 0;
}

} // namespace

int main(int argc, char** argv)
{
	std::string config = PALAVER_DEFAULT_CONFIG;
	std::string socket;
	std::vector<std::string> words;
	for (int i = 1; i < argc; ++i)
	{
		const std::string argument = argv[i];
		if (argument.rfind("--config=", 0) == 0)
			config = argument.substr(9);
		else if (argument.rfind("--socket=", 0) == 0)
			socket = argument.substr(9);
		else if ((argument == "--help" || argument == "-h") && words.empty())
		{
			usage();
			return 0;
		}
		else
			words.push_back(argument);
	}
	if (words.empty()) return usage();

	try
	{
		if (words[0] == "new-plugin")
		{
			if (words.size() != 2) return usage();
			Palaver::Ctl::PluginScaffold::write(words[1], Poco::Path::current(), std::cout);
			return 0;
		}
		// reload and config act on the running daemon only (config: the declared settings and the values in force).
		if (words[0] != "plugins" || (words.size() == 3 && (words[1] == "reload" || words[1] == "config")))
		{
			Palaver::Ctl::AdminClient daemon(socket.empty() ? Palaver::Ctl::AdminClient::socketFromConfig(config) : socket);
			return daemon.run(words, std::cout, std::cerr);
		}
		if (words.size() < 2) return usage();
		Palaver::Ctl::PluginSwitch plugins(config);
		if (words[1] == "list" && words.size() == 2)
			plugins.list(std::cout);
		else if ((words[1] == "enable" || words[1] == "disable") && words.size() == 3)
			return switchPlugin(config, socket, words[1], words[2]);
		else
			return usage();
	}
	catch (Poco::Exception& e)
	{
		std::cerr << "palaverctl: " << (e.message().empty() ? e.displayText() : e.message()) << std::endl;
		return 1;
	}
	return 0;
}
