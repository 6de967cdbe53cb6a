//
// AuthDeadlines.h
//

#ifndef Palaver_Ws_AuthDeadlines_INCLUDED
#define Palaver_Ws_AuthDeadlines_INCLUDED

#include "palaver/PeriodicTask.h"
#include "palaver/WebSocket.h"
#include <Poco/Types.h>
#include <deque>
#include <memory>
#include <mutex>
#include <utility>

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
/// Threads: watch() on any thread; start() and stop() in the plugin's.
class AuthDeadlines
{
public:
	AuthDeadlines(Poco::Int64 timeoutMs, Poco::Logger& logger);

	void start();
	void stop();

	/// The connection must be authenticated within the time-out from now.
	void watch(const WebSocket::Ptr& socket);

private:
	void expire();

	const Poco::Int64 _timeoutMs;
	std::mutex _mutex;
	std::deque<std::pair<Poco::Int64, std::weak_ptr<WebSocket>>> _pending;  /// (deadline in ms, connection), oldest first
	PeriodicTask _task;
};

} } // namespace Palaver::Ws

#endif
