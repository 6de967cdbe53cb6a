//
// Net.h
//
// The event loop of palaver-bench: one thread, one epoll set, level-triggered,
// non-blocking sockets. Also the clock and the socket helpers.
//

#ifndef Palaver_Bench_Net_INCLUDED
#define Palaver_Bench_Net_INCLUDED

#include <netinet/in.h>
#include <cstdint>
#include <string>

namespace Palaver {
namespace Bench {

/// Monotonic clock in microseconds.
std::int64_t nowUs();

/// A socket owned by the loop. Subclasses react to readiness.
class Conn
{
public:
	virtual ~Conn();
	virtual void onEvent(std::uint32_t events) = 0;
	int fd() const { return _fd; }

protected:
	int _fd = -1;
};

class Loop
{
public:
	Loop();
	~Loop();
	Loop(const Loop&) = delete;
	Loop& operator=(const Loop&) = delete;

	void add(Conn& conn, std::uint32_t events);
	void modify(Conn& conn, std::uint32_t events);
	void remove(Conn& conn);

	/// Waits at most timeoutMs for readiness and dispatches it; returns the
	/// number of events handled.
	int poll(int timeoutMs);

	/// The same with a timeout in microseconds (epoll_pwait2).
	int pollUs(std::int64_t timeoutUs);

private:
	int _epoll;
};

/// Where to connect, and from which of the 127.0.0.x source addresses.
struct Target
{
	sockaddr_in address{};
	/// Connections per source address before moving on to the next one
	/// (127.0.0.2, 127.0.0.3, ...); 0 keeps the kernel's choice.
	unsigned perSource = 0;
};

Target makeTarget(const std::string& host, std::uint16_t port, unsigned perSource);

/// A non-blocking TCP socket connecting to target (connection number index
/// picks the source address). Throws std::runtime_error.
int connectTo(const Target& target, std::size_t index);

/// Raises RLIMIT_NOFILE to its hard limit; returns the new soft limit.
std::size_t raiseFileLimit();

/// /proc/<pid>/status field in kB or count ("VmRSS", "Threads"); -1 if absent.
long procStatus(int pid, const std::string& field);

/// utime + stime of /proc/<pid>/stat in seconds; -1 if absent.
double procCpuSeconds(int pid);

} } // namespace Palaver::Bench

#endif
