//
// LoginThrottle.h
//

#ifndef Palaver_Auth_LoginThrottle_INCLUDED
#define Palaver_Auth_LoginThrottle_INCLUDED

#include "WindowCounter.h"
#include <Poco/Types.h>
#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

namespace Palaver {
namespace Auth {

/// Counts log-in attempts per user name in a fixed window: once a name has
/// had maxAttempts attempts without a success within windowSeconds of its
/// first one, it is locked: further attempts for it are refused (429) until
/// that window ends, whatever the password. A success clears the name. An
/// attempt is counted when it starts (before the password is checked), so
/// concurrent guesses cannot slip past the limit.
///
/// Names being counted and locked names are kept apart, each table bounded
/// by capacity: trying other names only pushes out other names being
/// counted, never a lock. Only locking capacity further names could push a
/// lock out (the one nearest its end goes first), which the per-address
/// limits make slow. Thread-safe.
class LoginThrottle
{
public:
	LoginThrottle(int maxAttempts, int windowSeconds, std::size_t capacity);

	/// Starts an attempt for name: 0 when it may go on (and it is counted),
	/// else the seconds until name may try again. now: seconds on any
	/// monotonic clock (tests pass their own).
	int attempt(const std::string& name, Poco::Int64 now);
	int attempt(const std::string& name) { return attempt(name, clock()); }

	void succeeded(const std::string& name);

	/// Names counted or locked now.
	std::size_t size() const;

	/// Seconds on the monotonic clock.
	static Poco::Int64 clock();

private:
	struct Lock
	{
		Poco::Int64 until = 0;
		std::list<std::string>::iterator position;
	};

	void lock(const std::string& name, Poco::Int64 until, Poco::Int64 now);
	void unlock(const std::string& name);

	const int _maxAttempts;
	const std::size_t _capacity;
	mutable std::mutex _mutex;
	WindowCounter _counting;
	std::unordered_map<std::string, Lock> _locked;
	std::list<std::string> _lockOrder;  /// locked names, oldest lock first
};

} } // namespace Palaver::Auth

#endif
