//
// ScopedWebSockets.h
//

#ifndef Palaver_Server_ScopedWebSockets_INCLUDED
#define Palaver_Server_ScopedWebSockets_INCLUDED

#include "WebSocketsImpl.h"
#include "palaver/services/WebSockets.h"
#include <Poco/Logger.h>
#include <Poco/Timespan.h>
#include <memory>
#include <mutex>
#include <vector>

namespace Palaver {
namespace Server {

/// What a plugin finds as the WebSockets service: the core's, recording the
/// endpoints the plugin made, so that they outlive it when it stops at run
/// time (their connections stay open) and its next version takes them over:
/// the n-th endpoint that version creates is the n-th of the previous one
/// (adopted; its options stay those of the first version, and a warning
/// says so when the new version asks for others), whose connections it gets
/// through WebSocketHandler::onResume() once it started (docs/PLUGINS.md,
/// "Run time").
///
/// Threads: create() from the plugin (initialize() or start()); the rest on
/// the thread that stops and starts plugins.
class ScopedWebSockets: public WebSockets
{
public:
	using Endpoints = std::vector<std::shared_ptr<WebSocketEndpointImpl>>;

	/// adopted: the endpoints of the plugin's previous version, in the order
	/// it made them; logger: the plugin's.
	ScopedWebSockets(std::shared_ptr<WebSocketsImpl> webSockets, Endpoints adopted, Poco::Logger& logger);

	std::shared_ptr<WebSocketEndpoint> create(std::shared_ptr<WebSocketHandler> handler,
		const WebSocketEndpoint::Options& options) override;

	/// The plugin is stopping: its endpoints refuse upgrades and hold text
	/// messages from now on (WebSocketEndpointImpl::detach()).
	void detach();

	/// Waits for the upgrades its handlers were accepting; false after timeout.
	bool waitAccepts(const Poco::Timespan& timeout);

	/// After the plugin's stop(): drops the contexts of its connections; false after timeout.
	bool dropContexts(const Poco::Timespan& timeout);

	/// After the plugin's start(): its handlers take the adopted connections
	/// over; the adopted endpoints it did not make again close theirs.
	void resume();

	/// Every endpoint it made or adopted.
	Endpoints endpoints() const;

private:
	/// True when every option of a and b is the same.
	static bool sameOptions(const WebSocketEndpoint::Options& a, const WebSocketEndpoint::Options& b);

	const std::shared_ptr<WebSocketsImpl> _webSockets;
	const Endpoints _adopted;
	Poco::Logger& _logger;
	mutable std::mutex _mutex;
	Endpoints _made;  /// guarded by _mutex
};

} } // namespace Palaver::Server

#endif
