//
// Gauge.h
//

#ifndef Palaver_Gauge_INCLUDED
#define Palaver_Gauge_INCLUDED

#include <atomic>
#include <cstdint>

namespace Palaver {

/// A Prometheus gauge: a value that goes up and down. Thread-safe and lock-free.
class Gauge
{
public:
	void set(std::int64_t value) { _value.store(value, std::memory_order_relaxed); }
	void inc(std::int64_t n = 1) { _value.fetch_add(n, std::memory_order_relaxed); }
	void dec(std::int64_t n = 1) { _value.fetch_sub(n, std::memory_order_relaxed); }
	std::int64_t value() const { return _value.load(std::memory_order_relaxed); }

private:
	std::atomic<std::int64_t> _value{0};
};

} // namespace Palaver

#endif
