//
// WindowCounter.h
//

#ifndef Palaver_Auth_WindowCounter_INCLUDED
#define Palaver_Auth_WindowCounter_INCLUDED

#include <Poco/Types.h>
#include <cstddef>
#include <list>
#include <string>
#include <unordered_map>

namespace Palaver {
namespace Auth {

/// Counts hits per key in fixed windows (a key's window starts at its first
/// hit and lasts windowSeconds). Holds at most capacity keys: a new key
/// pushes out the key whose window started first (O(1)), so memory stays
/// bounded whatever keys an attacker sends. Not thread-safe: its owner locks.
class WindowCounter
{
public:
	WindowCounter(int windowSeconds, std::size_t capacity);

	/// Counts one hit of key at now (seconds, monotonic); returns the hits in
	/// its window so far, this one included; windowEnd: when that window ends.
	int hit(const std::string& key, Poco::Int64 now, Poco::Int64& windowEnd);

	void erase(const std::string& key);

	std::size_t size() const { return _entries.size(); }

	int windowSeconds() const { return _windowSeconds; }

private:
	struct Entry
	{
		Poco::Int64 windowStart = 0;
		int hits = 0;
		std::list<std::string>::iterator position;
	};

	const int _windowSeconds;
	const std::size_t _capacity;
	std::unordered_map<std::string, Entry> _entries;
	std::list<std::string> _order;  /// the keys, oldest window first
};

} } // namespace Palaver::Auth

#endif
