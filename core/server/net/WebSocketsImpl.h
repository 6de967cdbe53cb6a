//
// WebSocketsImpl.h
//

#ifndef Palaver_Server_WebSocketsImpl_INCLUDED
#define Palaver_Server_WebSocketsImpl_INCLUDED

#include "WebSocketEndpointImpl.h"
#include "palaver/services/WebSockets.h"

namespace Palaver {
namespace Server {

class Transport;

/// The WebSockets service (palaver/services/WebSockets.h): endpoints on the
/// transport's connection layer. Thread-safe.
class WebSocketsImpl: public WebSockets
{
public:
	explicit WebSocketsImpl(Transport& transport): _transport(transport) {}

	std::shared_ptr<WebSocketEndpoint> create(std::shared_ptr<WebSocketHandler> handler,
		const WebSocketEndpoint::Options& options) override
	{
		return make(std::move(handler), options);
	}

	/// create(), as the core's own type.
	std::shared_ptr<WebSocketEndpointImpl> make(std::shared_ptr<WebSocketHandler> handler,
		const WebSocketEndpoint::Options& options)
	{
		return std::make_shared<WebSocketEndpointImpl>(std::move(handler), options, _transport);
	}

private:
	Transport& _transport;
};

} } // namespace Palaver::Server

#endif
