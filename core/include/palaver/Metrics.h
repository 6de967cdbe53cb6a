//
// Metrics.h
//

#ifndef Palaver_Metrics_INCLUDED
#define Palaver_Metrics_INCLUDED

#include "palaver/Counter.h"
#include "palaver/Gauge.h"
#include <string>

namespace Palaver {

/// The registry behind GET /metrics. Register in initialize() and keep the
/// reference: it stays valid for the life of the process. Names follow
/// Prometheus conventions and start with "palaver_", e.g.
/// "palaver_ws_connections" or "palaver_messages_stored_total".
class Metrics
{
public:
	virtual ~Metrics() = default;

	/// Registering an existing name again returns the same metric.
	virtual Counter& counter(const std::string& name, const std::string& help) = 0;
	virtual Gauge& gauge(const std::string& name, const std::string& help) = 0;
};

} // namespace Palaver

#endif
