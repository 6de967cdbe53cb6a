//
// AdminCommands.h
//

#ifndef Palaver_Services_AdminCommands_INCLUDED
#define Palaver_Services_AdminCommands_INCLUDED

#include "palaver/Service.h"
#include <functional>
#include <string>
#include <vector>

namespace Palaver {

/// Commands that `palaverctl` hands to the running palaverd over its admin
/// socket ([server] admin_socket, a Unix socket only the service user can
/// open): offered by the core, so that an administrator's change takes
/// effect at once (docs/ARCHITECTURE.md, "Administration").
class AdminCommands: public Service
{
public:
	static constexpr const char* NAME = "core.admin";

	/// Runs a command: arguments are the words after the command's name.
	/// Returns the text palaverctl prints; a Poco::Exception's message is
	/// printed as the error (exit status 1). Handlers run one at a time on the
	/// admin socket's thread: they may take long (a backup), nobody else waits.
	using Handler = std::function<std::string(const std::vector<std::string>& arguments)>;

	/// name: the command's words, e.g. "users disable"; usage: its arguments
	/// for the help text, e.g. "NAME". Call in Plugin::initialize().
	virtual void add(const std::string& name, const std::string& usage, Handler handler) = 0;
};

} // namespace Palaver

#endif
