#include "TestServer.h"
#include "ClusterServices.h"
#include "HttpClient.h"
#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/NumberFormatter.h>
#include <Poco/Path.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>
#include <Poco/TemporaryFile.h>
#include <Poco/Thread.h>
#include <Poco/Timestamp.h>
#include <fstream>
#include <functional>
#include <iostream>
#include <random>
#include <set>
#include <unistd.h>
#include <algorithm>
#include <map>
#include <mutex>
#include <signal.h>
#include <sys/wait.h>
#include <thread>

namespace Palaver {
namespace Testing {

namespace {

// Collects a child's output on a thread of its own, so that the child never
// blocks on a full pipe.
class OutputCollector
{
public:
	explicit OutputCollector(const Poco::Pipe& pipe):
		_pipe(pipe),
		_thread([this]
		{
			char buffer[4096];
			int n;
			while ((n = _pipe.readBytes(buffer, sizeof(buffer))) > 0)
			{
				std::lock_guard<std::mutex> lock(_mutex);
				_text.append(buffer, static_cast<std::size_t>(n));
			}
		})
	{
	}

	~OutputCollector() { finish(); }

	/// Waits until the child's end of the pipe is closed (it exited).
	void finish()
	{
		if (_thread.joinable()) _thread.join();
	}

	std::string text() const
	{
		std::lock_guard<std::mutex> lock(_mutex);
		return _text;
	}

private:
	Poco::Pipe _pipe;
	mutable std::mutex _mutex;
	std::string _text;
	std::thread _thread;
};

std::map<Poco::ProcessHandle::PID, std::unique_ptr<OutputCollector>>& collectors()
{
	static std::map<Poco::ProcessHandle::PID, std::unique_ptr<OutputCollector>> all;
	return all;
}

// All that an exited child printed, to its last byte; forgets its collector.
std::string finalOutput(Poco::ProcessHandle::PID pid)
{
	auto it = collectors().find(pid);
	if (it == collectors().end()) return std::string();
	std::unique_ptr<OutputCollector> collector = std::move(it->second);
	collectors().erase(it);
	collector->finish();
	return collector->text();
}

// Waits for pid to exit, at most timeoutMs; returns its exit code, or -1 if it is still running.
int waitFor(Poco::ProcessHandle::PID pid, int timeoutMs)
{
	const Poco::Timestamp started;
	while (true)
	{
		int status = 0;
		const pid_t done = waitpid(pid, &status, WNOHANG);
		if (done == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		if (done < 0) return -2;
		if (started.elapsed() / 1000 > timeoutMs) return -1;
		Poco::Thread::sleep(10);
	}
}

} // namespace

TestServer::TestServer():
	TestServer(Options())
{
}

TestServer::TestServer(Options options):
	_options(std::move(options)),
	_httpPort(freePort()),
	_wsPort(freePort()),
	_ownsStateDir(_options.stateDir.empty())
{
	if (_options.config.empty()) _options.config = sourceDir() + "/config/palaver.ini";
	if (_options.pluginsConfigDir.empty()) _options.pluginsConfigDir = sourceDir() + "/plugins.d";
	_stateDir = _ownsStateDir ? Poco::TemporaryFile::tempName() : _options.stateDir;
	Poco::File(_stateDir).createDirectories();
	// PALAVER_TEST_POSTGRESQL_FILE: the same tests on PostgreSQL, one database
	// per state folder (so that a restart on the same folder finds its data).
	const std::string postgreSQL = ClusterServices::postgreSQLOverride();
	bool ownDatabase = true;
	for (const auto& argument: _options.arguments)
	{
		if (argument.rfind("--database.", 0) == 0) ownDatabase = false;
	}
	if (!postgreSQL.empty() && ownDatabase)
	{
		_database = "palaver_t_" + Poco::toLower(Poco::NumberFormatter::formatHex(std::hash<std::string>()(Poco::Path(_stateDir).absolute().toString())));
		_options.arguments.push_back("--database.connector=postgresql");
		_options.arguments.push_back("--database.connection=" + ClusterServices::createDatabase(postgreSQL, _database));
	}
}

TestServer::~TestServer()
{
	try
	{
		if (running()) stop();
		if (_ownsStateDir) Poco::File(_stateDir).remove(true);
		if (_ownsStateDir && !_database.empty()) ClusterServices::dropDatabase(ClusterServices::postgreSQLOverride(), _database);
	}
	catch (...)
	{
	}
}

std::vector<std::string> TestServer::arguments() const
{
	std::vector<std::string> args = {
		"--config=" + _options.config,
		"--plugins.config_dir=" + _options.pluginsConfigDir,
		"--plugins.directory=" + binaryDir() + "/lib/palaver",
		"--server.state_dir=" + _stateDir,
		"--http.address=127.0.0.1",
		"--http.port=" + std::to_string(_httpPort),
		"--ws.address=127.0.0.1",
		"--ws.port=" + std::to_string(_wsPort),
	};
	args.insert(args.end(), _options.arguments.begin(), _options.arguments.end());
	return args;
}

void TestServer::start()
{
	// A port freePort() checked can still be taken before palaverd binds it
	// (by another test running in parallel): then start again on other ports.
	for (int attempt = 1; ; ++attempt)
	{
		try
		{
			launch();
			return;
		}
		catch (Poco::IllegalStateException& exception)
		{
			const bool portTaken = exception.message().find("Address already in use") != std::string::npos;
			if (!portTaken || attempt == 3)
			{
				std::cerr << exception.displayText() << std::endl;
				throw;
			}
			_httpPort = freePort();
			_wsPort = freePort();
		}
	}
}

void TestServer::launch()
{
	Poco::Pipe pipe;
	_process.reset(new Poco::ProcessHandle(Poco::Process::launch(binaryDir() + "/bin/palaverd", arguments(), "", nullptr, &pipe, &pipe, _options.environment)));
	collectors()[_process->id()].reset(new OutputCollector(pipe));
	if (!_options.waitUntilHealthy) return;

	const Poco::Timestamp started;
	while (started.elapsed() < 20 * Poco::Timestamp::resolution())
	{
		if (!running())
		{
			_exitedOutput = finalOutput(_process->id());
			_process.reset();
			throw Poco::IllegalStateException("palaverd exited during start-up", _exitedOutput);
		}
		try
		{
			HttpClient client(_httpPort);
			if (client.get("/health").status == 200) return;
		}
		catch (Poco::Exception&)
		{
		}
		Poco::Thread::sleep(50);
	}
	std::cerr << "palaverd did not become healthy: " << output() << std::endl;
	throw Poco::TimeoutException("palaverd did not become healthy", output());
}

int TestServer::stop()
{
	if (!_process) return -1;
	const auto pid = _process->id();
	::kill(pid, SIGTERM);
	int code = waitFor(pid, 20000);
	if (code == -1)
	{
		::kill(pid, SIGKILL);
		code = waitFor(pid, 5000);
	}
	_exitedOutput = finalOutput(pid);
	_process.reset();
	return code;
}

void TestServer::kill()
{
	if (!_process) return;
	const auto pid = _process->id();
	::kill(pid, SIGKILL);
	waitFor(pid, 5000);
	_exitedOutput = finalOutput(pid);
	_process.reset();
}

bool TestServer::running() const
{
	if (!_process) return false;
	return ::kill(_process->id(), 0) == 0 && waitpid(_process->id(), nullptr, WNOHANG) == 0;
}

int TestServer::palaverctl(const std::vector<std::string>& arguments, std::string& output) const
{
	std::vector<std::string> all{"--socket=" + _stateDir + "/admin.sock"};
	all.insert(all.end(), arguments.begin(), arguments.end());
	Poco::Pipe pipe;
	Poco::ProcessHandle handle = Poco::Process::launch(binaryDir() + "/bin/palaverctl", all, nullptr, &pipe, &pipe);
	Poco::PipeInputStream stream(pipe);
	output.clear();
	Poco::StreamCopier::copyToString(stream, output);
	return handle.wait();
}

int TestServer::runOnce(const std::vector<std::string>& extraArguments, std::string& output)
{
	auto args = arguments();
	args.insert(args.end(), extraArguments.begin(), extraArguments.end());
	Poco::Pipe pipe;
	Poco::ProcessHandle handle = Poco::Process::launch(binaryDir() + "/bin/palaverd", args, nullptr, &pipe, &pipe);
	Poco::PipeInputStream stream(pipe);
	output.clear();
	Poco::StreamCopier::copyToString(stream, output);
	return handle.wait();
}

Poco::ProcessHandle::PID TestServer::pid() const
{
	return _process ? _process->id() : 0;
}

std::string TestServer::output() const
{
	if (!_process) return _exitedOutput;
	auto it = collectors().find(_process->id());
	return it == collectors().end() ? std::string() : it->second->text();
}

bool TestServer::waitForOutput(const std::string& text, int timeoutMs) const
{
	const Poco::Timestamp started;
	while (output().find(text) == std::string::npos)
	{
		if (started.elapsed() >= Poco::Timestamp::TimeDiff(timeoutMs) * 1000) return false;
		Poco::Thread::sleep(20);
	}
	return true;
}

int TestServer::threadCount() const
{
	return static_cast<int>(statusField("Threads"));
}

long TestServer::statusField(const std::string& name) const
{
	std::ifstream status("/proc/" + std::to_string(pid()) + "/status");
	const std::string prefix = name + ":";
	std::string line;
	while (std::getline(status, line))
	{
		if (line.rfind(prefix, 0) == 0) return std::stol(line.substr(prefix.size()));
	}
	return -1;
}

Poco::UInt16 TestServer::freePort()
{
	// Below the kernel's ephemeral range: a port bound to 0 and closed comes
	// from that range, where the next outgoing connection of any test can take
	// it as its local port before palaverd binds it.
	int ephemeralLow = 32768;
	std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range");
	range >> ephemeralLow;
	const int low = 20000;
	const int high = std::max(low + 1000, std::min(ephemeralLow, 65536));
	static std::mutex mutex;
	static std::set<int> handedOut;
	static std::mt19937 random(static_cast<unsigned>(::getpid()) ^ static_cast<unsigned>(Poco::Timestamp().epochMicroseconds()));
	std::lock_guard<std::mutex> lock(mutex);
	for (int tries = 0; tries < 1000; ++tries)
	{
		const int port = std::uniform_int_distribution<int>(low, high - 1)(random);
		if (!handedOut.insert(port).second) continue;
		try
		{
			Poco::Net::ServerSocket socket;
			socket.bind(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)), false);
			return static_cast<Poco::UInt16>(port);
		}
		catch (Poco::Exception&)
		{
		}
	}
	throw Poco::IllegalStateException("no free port below the ephemeral range");
}

std::string TestServer::binaryDir()
{
	return PALAVER_BINARY_DIR;
}

std::string TestServer::sourceDir()
{
	return PALAVER_SOURCE_DIR;
}

} } // namespace Palaver::Testing
