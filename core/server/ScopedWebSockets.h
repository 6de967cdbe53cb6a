//
// ScopedWebSockets.h
//

#ifndef Palaver_Server_ScopedWebSockets_INCLUDED
#define Palaver_Server_ScopedWebSockets_INCLUDED

#include "palaver/services/WebSockets.h"
#include <atomic>
#include <memory>

namespace Palaver {
namespace Server {

/// What a plugin finds as the WebSockets service: the core's, noting that
/// the plugin made an endpoint. The transport keeps an endpoint's handler
/// and its connections until palaverd stops, so such a plugin is not
/// stopped at run time (docs/PLUGINS.md, "Run time"). Thread-safe.
class ScopedWebSockets: public WebSockets
{
public:
	explicit ScopedWebSockets(std::shared_ptr<WebSockets> webSockets): _webSockets(std::move(webSockets)) {}

	std::shared_ptr<WebSocketEndpoint> create(std::shared_ptr<WebSocketHandler> handler,
		const WebSocketEndpoint::Options& options) override
	{
		_created = true;
		return _webSockets->create(std::move(handler), options);
	}

	/// Whether the plugin made an endpoint.
	bool created() const { return _created; }

private:
	const std::shared_ptr<WebSockets> _webSockets;
	std::atomic<bool> _created{false};
};

} } // namespace Palaver::Server

#endif
