#include "Acceptor.h"
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <unistd.h>

namespace Palaver {
namespace Server {

Acceptor::Acceptor(Poco::Logger& logger):
	_logger(logger),
	_spareFd(::open("/dev/null", O_RDONLY | O_CLOEXEC))
{
}

Acceptor::~Acceptor()
{
	if (_spareFd >= 0) ::close(_spareFd);
}

int Acceptor::accept(int listener, sockaddr_storage* address, socklen_t* length)
{
	for (;;)
	{
		const int fd = ::accept4(listener, reinterpret_cast<sockaddr*>(address), length, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) return fd;
		if (errno == EINTR) continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNABORTED) return -1;
		if (errno == EMFILE || errno == ENFILE)
		{
			_logger.warning("out of file descriptors, refusing a connection");
			if (_spareFd >= 0)
			{
				::close(_spareFd);
				const int victim = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
				if (victim >= 0) ::close(victim);
				_spareFd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
			}
			return -1;
		}
		_logger.warning("accept failed: %s", std::string(std::strerror(errno)));
		return -1;
	}
}

} } // namespace Palaver::Server
