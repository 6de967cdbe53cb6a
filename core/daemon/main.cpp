#include "Daemon.h"
#include "ConfigLoader.h"
#include <csignal>
#include <vector>

int main(int argc, char** argv)
{
	// Signals are taken by sigwait() in Daemon::main(); block them before any
	// thread starts, so that every thread inherits the mask.
	sigset_t signals;
	sigemptyset(&signals);
	for (int signal: {SIGINT, SIGTERM, SIGQUIT, SIGHUP}) sigaddset(&signals, signal);
	pthread_sigmask(SIG_BLOCK, &signals, nullptr);

	// --section.key=value overrides are ours; Poco's option parser gets the rest.
	std::vector<std::string> arguments(argv, argv + argc);
	auto overrides = Palaver::Server::ConfigLoader::takeOverrides(arguments);

	Palaver::Daemon daemon(std::move(overrides));
	return daemon.run(arguments);
}
