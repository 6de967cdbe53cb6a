//
// Report.h
//
// Latency samples with percentiles, and a small JSON object writer for the
// results (bench/results/*.json).
//

#ifndef Palaver_Bench_Report_INCLUDED
#define Palaver_Bench_Report_INCLUDED

#include <cstdint>
#include <string>
#include <vector>

namespace Palaver {
namespace Bench {

class Json
{
public:
	Json& add(const std::string& key, double value);
	Json& add(const std::string& key, std::int64_t value);
	Json& add(const std::string& key, int value) { return add(key, static_cast<std::int64_t>(value)); }
	Json& add(const std::string& key, std::size_t value) { return add(key, static_cast<std::int64_t>(value)); }
	Json& add(const std::string& key, bool value);
	Json& add(const std::string& key, const std::string& value);
	Json& add(const std::string& key, const char* value) { return add(key, std::string(value)); }
	Json& add(const std::string& key, const Json& value);
	Json& add(const std::string& key, const std::vector<Json>& values);
	std::string str() const { return "{" + _body + "}"; }

private:
	void key(const std::string& key);
	std::string _body;
};

std::string quote(const std::string& text);

/// value with decimals digits after the point, for summaries.
std::string fixed(double value, int decimals = 1);

/// Latencies in microseconds.
class Samples
{
public:
	void add(std::int64_t us) { _values.push_back(us < 0 ? 0 : us); _sorted = false; }
	std::size_t count() const { return _values.size(); }
	void clear() { _values.clear(); }

	/// Percentile p (0..100) in milliseconds; 0 without samples.
	double percentileMs(double p);
	double maxMs();

	/// {"p50": ..., "p99": ..., "p999": ..., "max": ...} in ms.
	Json json();

private:
	std::vector<std::int64_t> _values;
	bool _sorted = false;
};

} } // namespace Palaver::Bench

#endif
