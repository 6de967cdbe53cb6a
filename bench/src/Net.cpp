//
// Net.cpp
//

#include "Net.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace Palaver {
namespace Bench {

std::int64_t nowUs()
{
	timespec ts{};
	::clock_gettime(CLOCK_MONOTONIC, &ts);
	return static_cast<std::int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

Conn::~Conn()
{
	if (_fd >= 0) ::close(_fd);
}

Loop::Loop(): _epoll(::epoll_create1(EPOLL_CLOEXEC))
{
	if (_epoll < 0) throw std::runtime_error(std::string("epoll_create1: ") + std::strerror(errno));
}

Loop::~Loop()
{
	::close(_epoll);
}

void Loop::add(Conn& conn, std::uint32_t events)
{
	epoll_event ev{};
	ev.events = events;
	ev.data.ptr = &conn;
	if (::epoll_ctl(_epoll, EPOLL_CTL_ADD, conn.fd(), &ev) != 0)
		throw std::runtime_error(std::string("epoll_ctl add: ") + std::strerror(errno));
}

void Loop::modify(Conn& conn, std::uint32_t events)
{
	epoll_event ev{};
	ev.events = events;
	ev.data.ptr = &conn;
	::epoll_ctl(_epoll, EPOLL_CTL_MOD, conn.fd(), &ev);
}

void Loop::remove(Conn& conn)
{
	if (conn.fd() >= 0) ::epoll_ctl(_epoll, EPOLL_CTL_DEL, conn.fd(), nullptr);
}

int Loop::poll(int timeoutMs)
{
	return pollUs(static_cast<std::int64_t>(timeoutMs) * 1000);
}

int Loop::pollUs(std::int64_t timeoutUs)
{
	epoll_event events[256];
	const timespec timeout{static_cast<time_t>(timeoutUs / 1000000), static_cast<long>(timeoutUs % 1000000) * 1000};
	const int n = ::epoll_pwait2(_epoll, events, 256, &timeout, nullptr);
	for (int i = 0; i < n; ++i)
		static_cast<Conn*>(events[i].data.ptr)->onEvent(events[i].events);
	return n < 0 ? 0 : n;
}

Target makeTarget(const std::string& host, std::uint16_t port, unsigned perSource)
{
	Target target;
	target.address.sin_family = AF_INET;
	target.address.sin_port = htons(port);
	if (::inet_pton(AF_INET, host.c_str(), &target.address.sin_addr) != 1)
		throw std::runtime_error("not an IPv4 address: " + host);
	target.perSource = perSource;
	return target;
}

int connectTo(const Target& target, std::size_t index)
{
	const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
	const int one = 1;
	::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (target.perSource > 0)
	{
		// 127.0.0.2, .3, ...: each source address has its own ephemeral ports;
		// the port is chosen at connect() (IP_BIND_ADDRESS_NO_PORT).
		::setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
		sockaddr_in source{};
		source.sin_family = AF_INET;
		source.sin_addr.s_addr = htonl((127u << 24) + 2u + static_cast<unsigned>(index / target.perSource) % 250u);
		if (::bind(fd, reinterpret_cast<const sockaddr*>(&source), sizeof(source)) != 0)
		{
			const int error = errno;
			::close(fd);
			throw std::runtime_error(std::string("bind: ") + std::strerror(error));
		}
	}
	if (::connect(fd, reinterpret_cast<const sockaddr*>(&target.address), sizeof(target.address)) != 0 && errno != EINPROGRESS)
	{
		const int error = errno;
		::close(fd);
		throw std::runtime_error(std::string("connect: ") + std::strerror(error));
	}
	return fd;
}

std::size_t raiseFileLimit()
{
	rlimit limit{};
	::getrlimit(RLIMIT_NOFILE, &limit);
	if (limit.rlim_cur < limit.rlim_max)
	{
		limit.rlim_cur = limit.rlim_max;
		::setrlimit(RLIMIT_NOFILE, &limit);
	}
	::getrlimit(RLIMIT_NOFILE, &limit);
	return static_cast<std::size_t>(limit.rlim_cur);
}

long procStatus(int pid, const std::string& field)
{
	std::ifstream in("/proc/" + std::to_string(pid) + "/status");
	std::string line;
	while (std::getline(in, line))
	{
		if (line.compare(0, field.size(), field) == 0 && line.size() > field.size() && line[field.size()] == ':')
			return std::strtol(line.c_str() + field.size() + 1, nullptr, 10);
	}
	return -1;
}

double procCpuSeconds(int pid)
{
	std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
	std::string stat;
	if (!std::getline(in, stat)) return -1;
	// Fields after the command name (which may hold spaces): state is field 3,
	// utime 14 and stime 15.
	const auto close = stat.rfind(')');
	if (close == std::string::npos) return -1;
	std::istringstream fields(stat.substr(close + 2));
	std::string field;
	unsigned long utime = 0, stime = 0;
	for (int i = 3; i <= 15 && fields >> field; ++i)
	{
		if (i == 14) utime = std::stoul(field);
		if (i == 15) stime = std::stoul(field);
	}
	return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

} } // namespace Palaver::Bench
