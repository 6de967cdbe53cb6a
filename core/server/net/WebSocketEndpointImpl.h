//
// WebSocketEndpointImpl.h
//

#ifndef Palaver_Server_WebSocketEndpointImpl_INCLUDED
#define Palaver_Server_WebSocketEndpointImpl_INCLUDED

#include "palaver/WebSocketEndpoint.h"
#include "palaver/WebSocketHandler.h"
#include <atomic>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace Palaver {
namespace Server {

class Transport;
class WebSocketImpl;

/// A plugin's WebSocket endpoint (see palaver/WebSocketEndpoint.h): its
/// handler and limits, and its open connections by user. Thread-safe.
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

	WebSocketHandler& handler() const { return *_handler; }
	const Options& options() const { return _options; }

	/// On a worker, before the handler accepts an upgrade: false when the
	/// endpoint has maxConnections already. Every true is matched by one release().
	bool reserve();
	void release();

	/// A connection's user changed (0: none), or it opened (from 0) or closed (to 0).
	void moved(const std::shared_ptr<WebSocketImpl>& socket, Poco::Int64 from, Poco::Int64 to);

private:
	std::vector<std::shared_ptr<WebSocketImpl>> socketsOf(Poco::Int64 userId) const;

	const std::shared_ptr<WebSocketHandler> _handler;
	const Options _options;
	Transport& _transport;
	std::atomic<std::size_t> _open{0};
	mutable std::mutex _mutex;
	std::unordered_map<Poco::Int64, std::vector<std::shared_ptr<WebSocketImpl>>> _byUser;  /// guarded by _mutex
};

} } // namespace Palaver::Server

#endif
