#include "Daemon.h"
#include "ConfigLoader.h"
#include "Core.h"
#include "PluginLoader.h"
#include "PluginSettings.h"
#include "palaver/Version.h"
#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/Environment.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/PatternFormatter.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>
#include <csignal>
#include <iostream>
#include <systemd/sd-daemon.h>

#ifndef PALAVER_DEFAULT_CONFIG
#define PALAVER_DEFAULT_CONFIG "/etc/palaver/palaver.ini"
#endif

namespace Palaver {

using Poco::Util::Option;

Daemon::Daemon(std::map<std::string, std::string> overrides):
	_overrides(std::move(overrides)),
	_configFile(PALAVER_DEFAULT_CONFIG)
{
	setUnixOptions(true);
}

void Daemon::defineOptions(Poco::Util::OptionSet& options)
{
	ServerApplication::defineOptions(options);
	options.addOption(Option("help", "h", "print this help and exit"));
	options.addOption(Option("version", "", "print the version and exit"));
	options.addOption(Option("config", "c", "read the configuration from FILE (default " PALAVER_DEFAULT_CONFIG ")")
		.argument("FILE"));
	options.addOption(Option("check-config", "", "load the configuration and the plugins, report, and exit 0 (fine) or 1"));
	options.addOption(Option("settings-reference", "", "load the configuration and the plugins, print the Markdown reference of their declared settings, and exit"));
}

void Daemon::handleOption(const std::string& name, const std::string& value)
{
	ServerApplication::handleOption(name, value);
	if (name == "help")
	{
		_helpRequested = true;
		stopOptionsProcessing();
	}
	else if (name == "version")
		_versionRequested = true;
	else if (name == "config")
		_configFile = value;
	else if (name == "check-config")
		_checkOnly = true;
	else if (name == "settings-reference")
		_checkOnly = _referenceRequested = true;
}

void Daemon::setUpLogging()
{
	// Under systemd the journal adds time and unit: keep only level, source and text.
	const bool journal = Poco::Environment::has("JOURNAL_STREAM");
	Poco::AutoPtr<Poco::PatternFormatter> formatter(new Poco::PatternFormatter(
		journal ? "[%p] %s: %t" : "%Y-%m-%d %H:%M:%S.%i [%p] %s: %t"));
	Poco::AutoPtr<Poco::FormattingChannel> channel(new Poco::FormattingChannel(formatter, new Poco::ConsoleChannel(std::cerr)));
	Poco::Logger::root().setChannel(channel);
	logger().setChannel(channel);
	Poco::Logger::root().setLevel("information");
}

void Daemon::applyLogLevels()
{
	const std::string level = config().getString("logging.level", "information");
	Poco::Logger::setLevel("", Poco::Logger::parseLevel(level));
	logger().setLevel(Poco::Logger::parseLevel(level));
	// The access log follows [http] access_log, whatever the general level.
	Poco::Logger::get("palaver.access").setLevel(config().getBool("http.access_log", true) ? Poco::Message::PRIO_INFORMATION : Poco::Message::PRIO_WARNING);
}

int Daemon::main(const std::vector<std::string>&)
{
	if (_helpRequested)
	{
		Poco::Util::HelpFormatter help(options());
		help.setCommand(commandName());
		help.setUsage("[--config=FILE] [--check-config] [--section.key=value ...]");
		help.setHeader("Palaver chat server. Any configuration key can be overridden as --section.key=value.");
		help.format(std::cout);
		return EXIT_OK;
	}
	if (_versionRequested)
	{
		std::cout << "palaverd " << releaseVersion() << " (plugin API " << PALAVER_API_MAJOR << "." << PALAVER_API_MINOR << ")" << std::endl;
		return EXIT_OK;
	}

	setUpLogging();
	Poco::Logger& log = Poco::Logger::get("palaver.core");
	Server::Core core(config(), _configFile, _overrides);
	try
	{
		core.loadConfiguration();
		applyLogLevels();
		core.loadPlugins();
	}
	catch (Poco::Exception& e)
	{
		log.fatal(e.message().empty() ? e.displayText() : e.message());
		return _checkOnly ? 1 : EXIT_CONFIG;
	}

	if (_referenceRequested)
	{
		std::cout << Server::PluginSettings::reference(core.plugins());
		return EXIT_OK;
	}
	if (_checkOnly)
	{
		std::string list;
		for (const auto& info: core.plugins()) list += (list.empty() ? "" : ", ") + info.name + " " + info.version;
		std::cout << "configuration OK; plugins: " << (list.empty() ? "none" : list) << std::endl;
		return EXIT_OK;
	}
	return serve(core);
}

int Daemon::serve(Server::Core& core)
{
	Poco::Logger& log = Poco::Logger::get("palaver.core");
	try
	{
		core.initialize();
		core.start();
	}
	catch (Poco::Exception& e)
	{
		log.fatal(e.message().empty() ? e.displayText() : e.message());
		return EXIT_SOFTWARE;
	}
	sd_notify(0, "READY=1");

	// The signals were blocked in main() before any thread started.
	sigset_t signals;
	sigemptyset(&signals);
	for (int signal: {SIGINT, SIGTERM, SIGQUIT, SIGHUP}) sigaddset(&signals, signal);
	while (true)
	{
		int signal = 0;
		sigwait(&signals, &signal);
		if (signal != SIGHUP)
		{
			log.information("signal %d: stopping", signal);
			break;
		}
		sd_notify(0, "RELOADING=1");
		try
		{
			core.reload();
			applyLogLevels();
			log.information("configuration re-read");
		}
		catch (Poco::Exception& e)
		{
			log.error("configuration not re-read, keeping the running one: %s", e.message().empty() ? e.displayText() : e.message());
		}
		sd_notify(0, "READY=1");
	}
	sd_notify(0, "STOPPING=1");
	core.stop();
	log.information("stopped");
	return EXIT_OK;
}

} // namespace Palaver
