//
// Mailbox.h
//

#ifndef Palaver_Server_Mailbox_INCLUDED
#define Palaver_Server_Mailbox_INCLUDED

#include <Poco/Exception.h>
#include <cstdint>
#include <mutex>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <utility>
#include <vector>

namespace Palaver {
namespace Server {

/// How other threads hand work to one event-loop thread: a queue with an
/// eventfd that is readable while entries wait (add fd() to the loop's epoll
/// set). One wake-up per burst: only the post that finds the queue empty
/// writes the eventfd. post() and close() are thread-safe; take() is for the
/// loop's thread.
template <class Entry>
class Mailbox
{
public:
	Mailbox():
		_fd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC))
	{
		if (_fd < 0) throw Poco::SystemException("cannot create an eventfd");
	}

	~Mailbox()
	{
		::close(_fd);
	}

	Mailbox(const Mailbox&) = delete;
	Mailbox& operator=(const Mailbox&) = delete;

	int fd() const { return _fd; }

	/// Adds the eventfd to an epoll set, reported with id.
	void watchFrom(int epoll, std::uint64_t id) const
	{
		epoll_event event{};
		event.events = EPOLLIN;
		event.data.u64 = id;
		if (::epoll_ctl(epoll, EPOLL_CTL_ADD, _fd, &event) < 0) throw Poco::SystemException("cannot watch a mailbox");
	}

	/// Queues entry and wakes the loop; false (entry left as it was) once closed.
	bool post(Entry& entry)
	{
		{
			std::lock_guard<std::mutex> lock(_mutex);
			if (_closed) return false;
			if (!_entries.empty())
			{
				_entries.push_back(std::move(entry));
				return true;
			}
			_entries.push_back(std::move(entry));
		}
		const std::uint64_t one = 1;
		ssize_t n = ::write(_fd, &one, sizeof(one));
		(void) n;
		return true;
	}

	/// Refuses every later post.
	void close()
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_closed = true;
	}

	/// On the loop's thread: every waiting entry, in posting order. The
	/// vector is reused by the next take() (it keeps its capacity, but not
	/// after a storm of more than 4,096 entries); call finish() once they
	/// are handled.
	std::vector<Entry>& take()
	{
		std::uint64_t count;
		ssize_t n = ::read(_fd, &count, sizeof(count));
		(void) n;
		std::lock_guard<std::mutex> lock(_mutex);
		_taken.swap(_entries);
		return _taken;
	}

	/// On the loop's thread: destroys the entries taken, at once rather than
	/// at the next take(): a closure in them may be a plugin's code, which a
	/// run-time reload unloads once the loop has passed them.
	void finish()
	{
		_taken.clear();
		if (_taken.capacity() > 4096) std::vector<Entry>().swap(_taken);
	}

private:
	const int _fd;
	std::mutex _mutex;
	std::vector<Entry> _entries;  /// guarded by _mutex
	std::vector<Entry> _taken;    /// the loop's: the entries being handled
	bool _closed = false;         /// guarded by _mutex
};

} } // namespace Palaver::Server

#endif
