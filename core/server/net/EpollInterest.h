//
// EpollInterest.h
//

#ifndef Palaver_Server_EpollInterest_INCLUDED
#define Palaver_Server_EpollInterest_INCLUDED

#include <cstdint>
#include <sys/epoll.h>

namespace Palaver {
namespace Server {

/// Makes epoll report `wanted` events (EPOLLIN, EPOLLOUT) for fd, already in
/// the set under id; `registered` is what was asked for last and is kept up
/// to date. No system call when nothing changes: event loops call it after
/// every state change of a connection.
inline void setEpollInterest(int epoll, int fd, std::uint64_t id, std::uint32_t wanted, std::uint32_t& registered)
{
	if (wanted == registered) return;
	epoll_event event{};
	event.events = wanted;
	event.data.u64 = id;
	::epoll_ctl(epoll, EPOLL_CTL_MOD, fd, &event);
	registered = wanted;
}

} } // namespace Palaver::Server

#endif
