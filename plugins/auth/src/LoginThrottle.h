//
// LoginThrottle.h
//

#ifndef Palaver_Auth_LoginThrottle_INCLUDED
#define Palaver_Auth_LoginThrottle_INCLUDED

#include <Poco/Types.h>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace Palaver {
namespace Auth {

/// Counts log-in attempts per user name in a fixed window: once a name has
/// had maxAttempts attempts without a success within windowSeconds of its
/// first one, further attempts for it are refused (429) until that window
/// ends, whatever the password. A success clears the name. An attempt is
/// counted when it starts (before the password is checked), so concurrent
/// guesses cannot slip past the limit.
///
/// The table holds at most capacity names: when full, expired entries go
/// first, then the entry whose window started earliest, so memory stays
/// bounded whatever names an attacker tries. Thread-safe.
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

	std::size_t size() const;

	/// Seconds on the monotonic clock.
	static Poco::Int64 clock();

private:
	struct Entry
	{
		Poco::Int64 windowStart = 0;
		int attempts = 0;
	};

	void makeRoom(Poco::Int64 now);

	const int _maxAttempts;
	const int _windowSeconds;
	const std::size_t _capacity;
	mutable std::mutex _mutex;
	std::unordered_map<std::string, Entry> _entries;
};

} } // namespace Palaver::Auth

#endif
