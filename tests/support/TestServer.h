//
// TestServer.h
//
// Starts the real palaverd as a child process on free loopback ports, with a
// temporary state folder, for integration tests.
//

#ifndef Palaver_Testing_TestServer_INCLUDED
#define Palaver_Testing_TestServer_INCLUDED

#include <Poco/Process.h>
#include <Poco/Types.h>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace Palaver {
namespace Testing {

class TestServer
{
public:
	struct Options
	{
		/// The main configuration file; default: the in-tree config/palaver.ini.
		std::string config;
		/// The plugins.d folder; default: the in-tree plugins.d/.
		std::string pluginsConfigDir;
		/// Extra "--section.key=value" arguments (e.g. "--auth.enabled=false").
		std::vector<std::string> arguments;
		/// Reuse this state folder instead of a fresh temporary one (restarts).
		std::string stateDir;
		/// Extra environment variables for palaverd (e.g. NOTIFY_SOCKET).
		std::map<std::string, std::string> environment;
		/// Wait for GET /health to answer 200 in start().
		bool waitUntilHealthy = true;
	};

	TestServer();
	explicit TestServer(Options options);
	~TestServer();  /// stops the server (SIGTERM, then SIGKILL) and removes a temporary state folder

	/// Starts palaverd; with waitUntilHealthy, waits (at most 20 s) for /health,
	/// and throws Poco::TimeoutException with the server's output if it never comes.
	/// When a port was taken in the meantime, starts again on other ports.
	void start();

	/// SIGTERM and waits for the exit (SIGKILL after 20 s); returns the exit code.
	int stop();

	/// SIGKILL, as a crash would.
	void kill();

	bool running() const;

	/// Runs palaverd to completion with these extra arguments (e.g.
	/// "--check-config") and the same configuration; returns its exit code and
	/// fills output with what it printed.
	int runOnce(const std::vector<std::string>& extraArguments, std::string& output);

	/// Runs the build's palaverctl with --socket= this server's admin socket
	/// and then arguments; output gets what it printed (stdout and stderr).
	/// Returns its exit code.
	int palaverctl(const std::vector<std::string>& arguments, std::string& output) const;

	Poco::UInt16 httpPort() const { return _httpPort; }
	Poco::UInt16 wsPort() const { return _wsPort; }
	Poco::ProcessHandle::PID pid() const;
	const std::string& stateDir() const { return _stateDir; }

	/// Everything the server printed so far (stdout and stderr).
	std::string output() const;

	/// True once the output holds text, within timeoutMs (it is logged and
	/// collected by other threads, so it can trail the answer it explains).
	bool waitForOutput(const std::string& text, int timeoutMs = 5000) const;

	/// Number of threads of the running server (from /proc/PID/status).
	int threadCount() const;

	/// A number of the running server's /proc/PID/status, e.g. "VmRSS" or
	/// "VmHWM" (resident memory now and at its peak, in KiB); -1 if absent.
	long statusField(const std::string& name) const;

	/// A free TCP port on 127.0.0.1, below the kernel's ephemeral port range
	/// and not handed out before by this process.
	static Poco::UInt16 freePort();

	static std::string binaryDir();
	static std::string sourceDir();

private:
	std::vector<std::string> arguments() const;
	void launch();  /// one start attempt; Poco::IllegalStateException if palaverd exits

	Options _options;
	Poco::UInt16 _httpPort;
	Poco::UInt16 _wsPort;
	std::string _stateDir;
	bool _ownsStateDir;
	std::string _database;  /// PostgreSQL database of PALAVER_TEST_POSTGRESQL_FILE runs
	std::string _exitedOutput;
	std::unique_ptr<Poco::ProcessHandle> _process;
};

} } // namespace Palaver::Testing

#endif
