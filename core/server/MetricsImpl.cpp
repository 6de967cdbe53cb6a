#include "MetricsImpl.h"
#include <Poco/Exception.h>
#include <set>
#include <sstream>

namespace Palaver {
namespace Server {

const std::array<double, MetricsImpl::BUCKETS> MetricsImpl::BUCKET_BOUNDS = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5};

namespace {

const std::string OTHER_METHOD = "other";

// Label values may hold any text: escape as the exposition format requires.
std::string escapeLabel(const std::string& value)
{
	std::string escaped;
	for (char c: value)
	{
		if (c == '\\' || c == '"') escaped += '\\';
		if (c == '\n') { escaped += "\\n"; continue; }
		escaped += c;
	}
	return escaped;
}

} // namespace

MetricsImpl::MetricsImpl()
{
	for (auto& bucket: _latencyBuckets) bucket = 0;
}

Counter& MetricsImpl::counter(const std::string& name, const std::string& help)
{
	std::lock_guard<std::mutex> lock(_mutex);
	auto& named = _metrics[name];
	if (named.gauge) throw Poco::ExistsException("metric is a gauge", name);
	if (!named.counter)
	{
		named.help = help;
		named.counter.reset(new Counter);
	}
	return *named.counter;
}

Gauge& MetricsImpl::gauge(const std::string& name, const std::string& help)
{
	std::lock_guard<std::mutex> lock(_mutex);
	auto& named = _metrics[name];
	if (named.counter) throw Poco::ExistsException("metric is a counter", name);
	if (!named.gauge)
	{
		named.help = help;
		named.gauge.reset(new Gauge);
	}
	return *named.gauge;
}

void MetricsImpl::recordRequest(const std::string& method, const std::string& route, int status, double seconds)
{
	std::size_t bucket = 0;
	while (bucket < BUCKETS && seconds > BUCKET_BOUNDS[bucket]) ++bucket;
	_latencyBuckets[bucket].fetch_add(1, std::memory_order_relaxed);
	_latencyMicros.fetch_add(static_cast<std::uint64_t>(seconds * 1e6), std::memory_order_relaxed);

	// Clients may send any token as a method: one series each would grow without bound.
	static const std::set<std::string> knownMethods{"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"};
	const std::string& label = knownMethods.count(method) ? method : OTHER_METHOD;
	std::lock_guard<std::mutex> lock(_mutex);
	++_requests[std::make_tuple(label, route, status)];
}

std::string MetricsImpl::render() const
{
	std::ostringstream out;
	std::lock_guard<std::mutex> lock(_mutex);

	out << "# HELP palaver_http_requests_total HTTP requests answered, by method, route pattern and status.\n"
	    << "# TYPE palaver_http_requests_total counter\n";
	for (const auto& entry: _requests)
	{
		const auto& route = std::get<1>(entry.first);
		out << "palaver_http_requests_total{method=\"" << escapeLabel(std::get<0>(entry.first))
		    << "\",route=\"" << escapeLabel(route.empty() ? "unmatched" : route)
		    << "\",status=\"" << std::get<2>(entry.first) << "\"} " << entry.second << "\n";
	}

	out << "# HELP palaver_http_request_duration_seconds Time from routing to the answer.\n"
	    << "# TYPE palaver_http_request_duration_seconds histogram\n";
	std::uint64_t cumulative = 0;
	for (std::size_t i = 0; i <= BUCKETS; ++i)
	{
		cumulative += _latencyBuckets[i].load(std::memory_order_relaxed);
		out << "palaver_http_request_duration_seconds_bucket{le=\"";
		if (i < BUCKETS) out << BUCKET_BOUNDS[i]; else out << "+Inf";
		out << "\"} " << cumulative << "\n";
	}
	out << "palaver_http_request_duration_seconds_sum " << _latencyMicros.load() / 1e6 << "\n"
	    << "palaver_http_request_duration_seconds_count " << cumulative << "\n";

	for (const auto& entry: _metrics)
	{
		const bool isCounter = entry.second.counter != nullptr;
		out << "# HELP " << entry.first << " " << entry.second.help << "\n"
		    << "# TYPE " << entry.first << (isCounter ? " counter\n" : " gauge\n")
		    << entry.first << " ";
		if (isCounter) out << entry.second.counter->value(); else out << entry.second.gauge->value();
		out << "\n";
	}
	return out.str();
}

} } // namespace Palaver::Server
