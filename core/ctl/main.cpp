// palaverctl: administration of an installed palaverd.
//   palaverctl [--config=FILE] plugins list|enable NAME|disable NAME
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
	             "FILE defaults to " PALAVER_DEFAULT_CONFIG "\n";
	return 2;
}

} // namespace

int main(int argc, char** argv)
{
	std::string config = PALAVER_DEFAULT_CONFIG;
	std::vector<std::string> words;
	for (int i = 1; i < argc; ++i)
	{
		const std::string argument = argv[i];
		if (argument.rfind("--config=", 0) == 0)
			config = argument.substr(9);
		else if (argument == "--help" || argument == "-h")
		{
			usage();
			return 0;
		}
		else
			words.push_back(argument);
	}
	if (words.empty() || words[0] != "plugins" || words.size() < 2) return usage();

	try
	{
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
