//
// MetricsImpl.h
//

#ifndef Palaver_Server_MetricsImpl_INCLUDED
#define Palaver_Server_MetricsImpl_INCLUDED

#include "palaver/Metrics.h"
#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>

namespace Palaver {
namespace Server {

/// Plugins' counters and gauges plus the HTTP server's own request metrics,
/// rendered in Prometheus' text format.
class MetricsImpl: public Metrics
{
public:
	MetricsImpl();

	Counter& counter(const std::string& name, const std::string& help) override;
	Gauge& gauge(const std::string& name, const std::string& help) override;

	/// Counts one answered request; route is the matched pattern ("" if none).
	/// Methods other than the nine of RFC 9110 and PATCH count as "other".
	void recordRequest(const std::string& method, const std::string& route, int status, double seconds);

	/// The whole registry in Prometheus text exposition format 0.0.4.
	std::string render() const;

private:
	static constexpr std::size_t BUCKETS = 12;
	static const std::array<double, BUCKETS> BUCKET_BOUNDS;

	struct Named
	{
		std::string help;
		std::unique_ptr<Counter> counter;
		std::unique_ptr<Gauge> gauge;
	};

	mutable std::mutex _mutex;
	std::map<std::string, Named> _metrics;
	std::map<std::tuple<std::string, std::string, int>, std::uint64_t> _requests;
	std::array<std::atomic<std::uint64_t>, BUCKETS + 1> _latencyBuckets;  // the last one is +Inf
	std::atomic<std::uint64_t> _latencyMicros{0};
};

} } // namespace Palaver::Server

#endif
