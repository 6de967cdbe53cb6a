// palaverctl: administration of an installed palaverd.
//   palaverctl [--config=FILE] plugins list|enable NAME|disable NAME
//   palaverctl [--config=FILE] [--socket=PATH] COMMAND ...   (on the running daemon)
#include "AdminClient.h"
#include "PluginSwitch.h"
#include <Poco/Exception.h>
#include <iostream>
#include <string>
#include <vector>

#ifndef PALAVER_DEFAULT_CONFIG
#define PALAVER_DEFAULT_CONFIG "/etc/palaver/palaver.ini"
#endif

namespace {

int usage()
{
	std::cerr << "usage: palaverctl [--config=FILE] plugins list\n"
	             "       palaverctl [--config=FILE] plugins enable NAME\n"
	             "       palaverctl [--config=FILE] plugins disable NAME\n"
	             "       palaverctl [--config=FILE] [--socket=PATH] plugins config NAME   (its declared settings, on the running daemon)\n"
	             "       palaverctl [--config=FILE] [--socket=PATH] users list|disable NAME|enable NAME|delete NAME|reset-password NAME\n"
	             "       palaverctl [--config=FILE] [--socket=PATH] invite create [--uses N] [--expires 7d]\n"
	             "       palaverctl [--config=FILE] [--socket=PATH] backup FILE\n"
	             "       palaverctl [--config=FILE] [--socket=PATH] help   (the running daemon's commands)\n"
	             "FILE defaults to " PALAVER_DEFAULT_CONFIG "; PATH to its [server] admin_socket\n";
	return 2;
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
		// Declared settings and the values in force are the running daemon's.
		if (words[0] != "plugins" || (words.size() > 1 && words[1] == "config"))
		{
			Palaver::Ctl::AdminClient daemon(socket.empty() ? Palaver::Ctl::AdminClient::socketFromConfig(config) : socket);
			return daemon.run(words, std::cout, std::cerr);
		}
		if (words.size() < 2) return usage();
		Palaver::Ctl::PluginSwitch plugins(config);
		if (words[1] == "list" && words.size() == 2)
			plugins.list(std::cout);
		else if ((words[1] == "enable" || words[1] == "disable") && words.size() == 3)
			plugins.setEnabled(words[2], words[1] == "enable", std::cout);
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
