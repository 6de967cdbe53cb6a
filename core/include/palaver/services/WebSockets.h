//
// WebSockets.h
//

#ifndef Palaver_Services_WebSockets_INCLUDED
#define Palaver_Services_WebSockets_INCLUDED

#include "palaver/Service.h"
#include "palaver/WebSocketEndpoint.h"
#include "palaver/WebSocketHandler.h"
#include <memory>

namespace Palaver {

/// WebSocket endpoints on the core's connection layer: offered by the core
/// (docs/PLUGINS.md, "WebSocket endpoints").
///
///     auto endpoint = context.services().require<WebSockets>()->create(handler, options);
///     endpoint->mount("/echo");
class WebSockets: public Service
{
public:
	static constexpr const char* NAME = "core.websockets";

	/// A new endpoint for handler; in Plugin::initialize() or start(). The
	/// core keeps handler until palaverd stops.
	virtual std::shared_ptr<WebSocketEndpoint> create(std::shared_ptr<WebSocketHandler> handler,
		const WebSocketEndpoint::Options& options) = 0;
};

} // namespace Palaver

#endif
