//
// AuthDeadlines.h
//

#ifndef Palaver_Ws_AuthDeadlines_INCLUDED
#define Palaver_Ws_AuthDeadlines_INCLUDED

#include "palaver/PeriodicTask.h"
#include "palaver/WebSocket.h"
#include <Poco/Types.h>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace Poco { class Logger; }

namespace Palaver {
namespace Ws {

/// The auth_timeout of connections that opened without valid credentials:
/// one that is not authenticated in time is closed with 1008
/// "authentication required". Every connection gets the same time-out, so
/// the deadlines come in order: a queue, and a PeriodicTask that looks at
/// its front a few times per time-out and posts the check to the
/// connection's I/O thread (which knows whether it authenticated meanwhile).
///
/// Threads: watch(), watchUntil() and pending() on any thread; start() and
/// stop() in the plugin's.
class AuthDeadlines
{
public:
	AuthDeadlines(Poco::Int64 timeoutMs, Poco::Logger& logger);

	void start();
	/// Stops the timer; the deadlines stay for pending().
	void stop();

	/// The connection must be authenticated within the time-out from now.
	void watch(const WebSocket::Ptr& socket);

	/// The connection must be authenticated by deadlineMs (steady clock, as
	/// nowMs()): one a previous version of the plugin watched (a reload).
	void watchUntil(const WebSocket::Ptr& socket, Poco::Int64 deadlineMs);

	/// The deadlines of the connections still open: (WebSocket::id(), deadline).
	std::vector<std::pair<std::uint64_t, Poco::Int64>> pending();

	/// Now on the steady clock, in milliseconds.
	static Poco::Int64 nowMs();

private:
	void expire();

	const Poco::Int64 _timeoutMs;
	std::mutex _mutex;
	std::deque<std::pair<Poco::Int64, std::weak_ptr<WebSocket>>> _pending;  /// (deadline in ms, connection), oldest first
	PeriodicTask _task;
};

} } // namespace Palaver::Ws

#endif
