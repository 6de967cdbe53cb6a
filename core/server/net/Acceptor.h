//
// Acceptor.h
//

#ifndef Palaver_Server_Acceptor_INCLUDED
#define Palaver_Server_Acceptor_INCLUDED

#include <Poco/Logger.h>
#include <sys/socket.h>

namespace Palaver {
namespace Server {

/// Takes new connections off a non-blocking listening socket for an event
/// loop (EventLoop). Out of descriptors, it
/// accepts and drops one connection with a descriptor it keeps spare for
/// that, or a level-triggered listener would be reported again and again.
/// Used on one thread.
class Acceptor
{
public:
	explicit Acceptor(Poco::Logger& logger);
	~Acceptor();

	Acceptor(const Acceptor&) = delete;
	Acceptor& operator=(const Acceptor&) = delete;

	/// A new connection's descriptor (non-blocking, close-on-exec), with the
	/// peer's address in address/length when given; -1 when none is waiting
	/// or accepting failed (logged).
	int accept(int listener, sockaddr_storage* address = nullptr, socklen_t* length = nullptr);

private:
	Poco::Logger& _logger;
	int _spareFd;
};

} } // namespace Palaver::Server

#endif
