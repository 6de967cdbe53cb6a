//
// AdminServer.h
//

#ifndef Palaver_Server_AdminServer_INCLUDED
#define Palaver_Server_AdminServer_INCLUDED

#include "palaver/services/AdminCommands.h"
#include <Poco/Logger.h>
#include <Poco/Net/ServerSocket.h>
#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace Palaver {
namespace Server {

/// The admin socket: a Unix socket (mode 0600, so only the service user and
/// root can connect) on which palaverctl sends one command per connection, a
/// JSON array of words ending with a newline, and reads back
/// {"ok": true|false, "output": "..."}. Commands come from AdminCommands::add;
/// "help" lists them. One thread accepts and runs them one at a time;
/// requests are bounded (MAX_REQUEST bytes, TIMEOUT_MS to arrive).
class AdminServer: public AdminCommands
{
public:
	static constexpr std::size_t MAX_REQUEST = 64 * 1024;
	static constexpr int TIMEOUT_MS = 5000;

	explicit AdminServer(Poco::Logger& logger);
	~AdminServer() override;

	void add(const std::string& name, const std::string& usage, Handler handler) override;

	/// Removes a command (its plugin stops).
	void remove(const std::string& name);

	/// Binds path (replacing a stale socket file) and starts the thread.
	void start(const std::string& path);

	/// Stops the thread (a command under way finishes first) and removes the socket file.
	void stop();

	/// Runs words as palaverctl would; the JSON answer. Thread-safe.
	std::string run(const std::vector<std::string>& words);

private:
	struct Command
	{
		std::string usage;
		Handler handler;
	};

	void serve();
	void answer(Poco::Net::StreamSocket& socket);
	std::string help() const;

	Poco::Logger& _logger;
	mutable std::mutex _mutex;
	std::map<std::string, Command> _commands;
	Poco::Net::ServerSocket _socket;
	std::string _path;
	std::thread _thread;
	std::atomic<bool> _running{false};
};

} } // namespace Palaver::Server

#endif
