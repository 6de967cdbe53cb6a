//
// WebSocketEndpointImpl.h
//

#ifndef Palaver_Server_WebSocketEndpointImpl_INCLUDED
#define Palaver_Server_WebSocketEndpointImpl_INCLUDED

#include "palaver/WebSocketEndpoint.h"
#include "palaver/WebSocketHandler.h"
#include <Poco/Timespan.h>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace Palaver {
namespace Server {

class Transport;
class WebSocketImpl;

/// A plugin's WebSocket endpoint (see palaver/WebSocketEndpoint.h): its
/// handler and limits, every connection it has accepted (and by user). The
/// core calls the handler through it (accept(), onOpen(), onText(),
/// onClose()), so that the handler can be swapped while the connections stay
/// open, when its plugin is reloaded at run time (docs/ARCHITECTURE.md,
/// "Plugins at run time"):
///
/// - detach() (the plugin is stopping): no handler; an upgrade is refused
///   with 503 plugin_unavailable, text messages are held per connection
///   (WebSocketImpl::hold(), at most maxPending bytes: beyond, the connection
///   is closed with 1013); waitAccepts() waits for the upgrades the handler
///   was accepting, dropContexts() drops every connection's context on its
///   I/O thread (the handler's objects: before its library is unloaded).
/// - adopt() (the next version's WebSockets::create()) and resume() (after
///   its start()): its handler gets onResume() for every open connection on
///   the connection's I/O thread, then the held messages through onText().
///   mount() and listen() of what the endpoint serves already do nothing.
///
/// Threads: accept() on HTTP workers; onOpen(), onText(), onClose() and
/// release() on the connection's I/O thread; detach(), waitAccepts(),
/// dropContexts(), adopt(), resume() and closeAll() on the thread that
/// stops and starts plugins, one at a time; the rest from any thread.
class WebSocketEndpointImpl: public WebSocketEndpoint, public std::enable_shared_from_this<WebSocketEndpointImpl>
{
public:
	WebSocketEndpointImpl(std::shared_ptr<WebSocketHandler> handler, const Options& options, Transport& transport);

	void mount(const std::string& path) override;
	Poco::UInt16 listen(const Poco::Net::SocketAddress& address) override;
	void pushToUser(Poco::Int64 userId, const WebSocketFrame::Ptr& frame) override;
	void broadcast(const WebSocketFrame::Ptr& frame) override;
	void closeSession(const std::string& session, std::uint16_t code, const std::string& reason) override;
	std::size_t connectionCount(Poco::Int64 userId) const override;
	void sendToEach(const std::vector<WebSocket::Ptr>& sockets, const WebSocketFrame::Ptr& frame) override;

	const Options& options() const { return _options; }

	/// On a worker, before the handler accepts an upgrade: false when the
	/// endpoint has maxConnections already. Every true is matched by one
	/// release() (or unreserve() when no socket was made).
	bool reserve();
	void unreserve();

	/// On a worker: the handler accepts socket (HttpError: refused; 503
	/// plugin_unavailable while detached), then opened() hands the answer to
	/// the connection's loop, both counted as an accept in flight.
	void accept(Request& request, const std::shared_ptr<WebSocketImpl>& socket, const std::function<void()>& opened);

	/// The handler's callbacks, or the holding of text messages while detached.
	void onOpen(const std::shared_ptr<WebSocketImpl>& socket);
	void onText(const std::shared_ptr<WebSocketImpl>& socket, std::string text);
	void onClose(const std::shared_ptr<WebSocketImpl>& socket, std::uint16_t code);

	/// On the loop, once the connection has ended (after onClose()) or its
	/// upgrade was dropped: drops its context, forgets it, gives its place back.
	void release(WebSocketImpl& socket);

	/// A connection's user changed (0: none), or it opened (from 0) or closed (to 0).
	void moved(const std::shared_ptr<WebSocketImpl>& socket, Poco::Int64 from, Poco::Int64 to);

	/// The plugin stops: no handler from now on.
	void detach();

	/// Waits until no upgrade is being accepted by the previous handler; false after timeout.
	bool waitAccepts(const Poco::Timespan& timeout);

	/// Drops every connection's context on its I/O thread, after what was
	/// queued for it before; waits until done, false after timeout (the
	/// plugin's library must then stay loaded).
	bool dropContexts(const Poco::Timespan& timeout);

	/// The handler of the plugin's next version, served from resume().
	void adopt(std::shared_ptr<WebSocketHandler> handler);

	/// After the plugin's start(): the adopted handler takes over the open
	/// connections (onResume(), then their held messages); without one
	/// (the plugin stopped for good, or its next version made no such
	/// endpoint) closeAll().
	void resume();

	/// Closes every open connection with 1001 (the plugin stopped).
	void closeAll();

private:
	std::vector<std::shared_ptr<WebSocketImpl>> socketsOf(Poco::Int64 userId) const;
	std::vector<std::shared_ptr<WebSocketImpl>> everySocket() const;
	std::shared_ptr<WebSocketHandler> handler() const { return std::atomic_load(&_handler); }
	/// On the loop: onResume() of the current handler, then the held messages one task at a time.
	void resumeOn(WebSocketImpl& socket, bool first);

	std::shared_ptr<WebSocketHandler> _handler;  /// atomically swapped; null while detached
	const Options _options;
	Transport& _transport;
	std::atomic<std::size_t> _open{0};
	mutable std::mutex _mutex;
	std::condition_variable _accepted;
	int _accepting = 0;                       /// guarded by _mutex
	std::shared_ptr<WebSocketHandler> _next;  /// guarded by _mutex
	std::set<std::string> _paths;             /// guarded by _mutex
	std::map<std::string, Poco::UInt16> _listening;  /// requested address: bound port, guarded by _mutex
	std::unordered_map<std::uint64_t, std::shared_ptr<WebSocketImpl>> _sockets;  /// by id, guarded by _mutex
	std::unordered_map<Poco::Int64, std::vector<std::shared_ptr<WebSocketImpl>>> _byUser;  /// guarded by _mutex
};

} } // namespace Palaver::Server

#endif
