#include "WebSocketEndpointImpl.h"
#include "EventLoop.h"
#include "Transport.h"
#include "WebSocketImpl.h"
#include <algorithm>

namespace Palaver {
namespace Server {

namespace {

/// One frame for many connections, grouped by loop (a few loops: a linear
/// search) and handed over a chunk at a time: one mailbox entry per chunk
/// instead of one per connection, and a loop starts writing while the rest
/// is grouped.
class LoopBatches
{
public:
	static constexpr std::size_t CHUNK = 1024;

	explicit LoopBatches(const WebSocketFrame::Ptr& frame): _frame(frame) {}

	void add(const WebSocketImpl& socket)
	{
		EventLoop* loop = &socket.loop();
		auto batch = std::find_if(_batches.begin(), _batches.end(), [loop](const Batch& entry) { return entry.first == loop; });
		if (batch == _batches.end()) batch = _batches.emplace(_batches.end(), loop, std::vector<std::uint64_t>());
		batch->second.push_back(socket.connection());
		if (batch->second.size() >= CHUNK)
		{
			loop->sendFrames(std::move(batch->second), _frame);
			batch->second = std::vector<std::uint64_t>();
		}
	}

	/// Hands over what add() has not yet.
	void flush()
	{
		for (Batch& batch: _batches) batch.first->sendFrames(std::move(batch.second), _frame);
		_batches.clear();
	}

private:
	using Batch = std::pair<EventLoop*, std::vector<std::uint64_t>>;

	const WebSocketFrame::Ptr& _frame;
	std::vector<Batch> _batches;
};

} // namespace

WebSocketEndpointImpl::WebSocketEndpointImpl(std::shared_ptr<WebSocketHandler> handler, const Options& options,
	Transport& transport):
	_handler(std::move(handler)),
	_options(options),
	_transport(transport)
{
}

void WebSocketEndpointImpl::mount(const std::string& path)
{
	_transport.mount(path, shared_from_this());
}

Poco::UInt16 WebSocketEndpointImpl::listen(const Poco::Net::SocketAddress& address)
{
	return _transport.listen(address, shared_from_this());
}

std::vector<std::shared_ptr<WebSocketImpl>> WebSocketEndpointImpl::socketsOf(Poco::Int64 userId) const
{
	std::lock_guard<std::mutex> lock(_mutex);
	auto it = _byUser.find(userId);
	if (it == _byUser.end()) return {};
	return it->second;
}

void WebSocketEndpointImpl::pushToUser(Poco::Int64 userId, const WebSocketFrame::Ptr& frame)
{
	// Sent outside the lock: a send on the connection's own loop may close it
	// (a slow reader), which comes back here through moved().
	for (const auto& socket: socketsOf(userId)) socket->send(frame);
}

void WebSocketEndpointImpl::broadcast(const WebSocketFrame::Ptr& frame)
{
	std::vector<std::shared_ptr<WebSocketImpl>> sockets;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		for (const auto& entry: _byUser) sockets.insert(sockets.end(), entry.second.begin(), entry.second.end());
	}
	LoopBatches batches(frame);
	for (const auto& socket: sockets) batches.add(*socket);
	batches.flush();
}

void WebSocketEndpointImpl::closeSession(const std::string& session, std::uint16_t code, const std::string& reason)
{
	std::vector<std::shared_ptr<WebSocketImpl>> sockets;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		for (const auto& entry: _byUser)
		{
			for (const auto& socket: entry.second)
			{
				if (socket->session() == session) sockets.push_back(socket);
			}
		}
	}
	for (const auto& socket: sockets) socket->close(code, reason);
}

std::size_t WebSocketEndpointImpl::connectionCount(Poco::Int64 userId) const
{
	std::lock_guard<std::mutex> lock(_mutex);
	auto it = _byUser.find(userId);
	return it == _byUser.end() ? 0 : it->second.size();
}

void WebSocketEndpointImpl::sendToEach(const std::vector<WebSocket::Ptr>& sockets, const WebSocketFrame::Ptr& frame)
{
	if (!frame) return;
	LoopBatches batches(frame);
	for (const WebSocket::Ptr& socket: sockets)
	{
		if (const auto* impl = dynamic_cast<const WebSocketImpl*>(socket.get())) batches.add(*impl);
		else if (socket) socket->send(frame);
	}
	batches.flush();
}

bool WebSocketEndpointImpl::reserve()
{
	const std::size_t open = _open.fetch_add(1, std::memory_order_relaxed);
	if (_options.maxConnections == 0 || open < _options.maxConnections) return true;
	release();
	return false;
}

void WebSocketEndpointImpl::release()
{
	_open.fetch_sub(1, std::memory_order_relaxed);
}

void WebSocketEndpointImpl::moved(const std::shared_ptr<WebSocketImpl>& socket, Poco::Int64 from, Poco::Int64 to)
{
	if (from == to) return;
	std::lock_guard<std::mutex> lock(_mutex);
	if (from != 0)
	{
		auto it = _byUser.find(from);
		if (it != _byUser.end())
		{
			auto& sockets = it->second;
			sockets.erase(std::remove(sockets.begin(), sockets.end(), socket), sockets.end());
			if (sockets.empty()) _byUser.erase(it);
		}
	}
	if (to != 0) _byUser[to].push_back(socket);
}

} } // namespace Palaver::Server
