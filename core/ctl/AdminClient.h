//
// AdminClient.h
//

#ifndef Palaver_Ctl_AdminClient_INCLUDED
#define Palaver_Ctl_AdminClient_INCLUDED

#include <ostream>
#include <string>
#include <vector>

namespace Palaver {
namespace Ctl {

/// palaverctl's side of the admin socket (Server::AdminServer): sends one
/// command's words to the running palaverd and prints its answer.
class AdminClient
{
public:
	/// socketPath: the daemon's admin socket.
	explicit AdminClient(std::string socketPath);

	/// The socket that configFile's [server] admin_socket (or state_dir) names.
	static std::string socketFromConfig(const std::string& configFile);

	/// Whether a daemon answers on the socket (it runs, and we may talk to it).
	bool reachable() const;

	/// Runs words on the daemon; prints the output to out (an error to err).
	/// Returns the exit status: 0 done, 1 refused or failed. Throws
	/// Poco::Exception when the daemon cannot be reached.
	int run(const std::vector<std::string>& words, std::ostream& out, std::ostream& err);

private:
	std::string _socketPath;
};

} } // namespace Palaver::Ctl

#endif
