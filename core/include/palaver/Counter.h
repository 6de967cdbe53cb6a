//
// Counter.h
//

#ifndef Palaver_Counter_INCLUDED
#define Palaver_Counter_INCLUDED

#include <atomic>
#include <cstdint>

namespace Palaver {

/// A Prometheus counter: only goes up. Thread-safe and lock-free.
class Counter
{
public:
	void inc(std::uint64_t n = 1) { _value.fetch_add(n, std::memory_order_relaxed); }
	std::uint64_t value() const { return _value.load(std::memory_order_relaxed); }

private:
	std::atomic<std::uint64_t> _value{0};
};

} // namespace Palaver

#endif
