#include "WebSocketEndpointImpl.h"
#include "EventLoop.h"
#include "Transport.h"
#include "WebSocketDecoder.h"
#include "WebSocketImpl.h"
#include "palaver/HttpError.h"
#include <Poco/Timestamp.h>
#include <algorithm>
#include <chrono>
#include <thread>

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
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_paths.count(path)) return;  // a reloaded plugin's endpoint, served already
	}
	_transport.mount(path, shared_from_this());
	std::lock_guard<std::mutex> lock(_mutex);
	_paths.insert(path);
}

Poco::UInt16 WebSocketEndpointImpl::listen(const Poco::Net::SocketAddress& address)
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		auto it = _listening.find(address.toString());
		if (it != _listening.end()) return it->second;
	}
	const Poco::UInt16 port = _transport.listen(address, shared_from_this());
	std::lock_guard<std::mutex> lock(_mutex);
	_listening[address.toString()] = port;
	return port;
}

std::vector<std::shared_ptr<WebSocketImpl>> WebSocketEndpointImpl::socketsOf(Poco::Int64 userId) const
{
	std::lock_guard<std::mutex> lock(_mutex);
	auto it = _byUser.find(userId);
	if (it == _byUser.end()) return {};
	return it->second;
}

std::vector<std::shared_ptr<WebSocketImpl>> WebSocketEndpointImpl::everySocket() const
{
	std::vector<std::shared_ptr<WebSocketImpl>> sockets;
	std::lock_guard<std::mutex> lock(_mutex);
	sockets.reserve(_sockets.size());
	for (const auto& entry: _sockets) sockets.push_back(entry.second);
	return sockets;
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
	unreserve();
	return false;
}

void WebSocketEndpointImpl::unreserve()
{
	_open.fetch_sub(1, std::memory_order_relaxed);
}

void WebSocketEndpointImpl::accept(Request& request, const std::shared_ptr<WebSocketImpl>& socket,
	const std::function<void()>& opened)
{
	// Counted until the answer is in the loop's mailbox: dropContexts()'s
	// barrier for the connection must come after it.
	struct Counted
	{
		explicit Counted(WebSocketEndpointImpl& endpoint): endpoint(endpoint)
		{
			std::lock_guard<std::mutex> lock(endpoint._mutex);
			++endpoint._accepting;
		}
		~Counted()
		{
			std::lock_guard<std::mutex> lock(endpoint._mutex);
			if (--endpoint._accepting == 0) endpoint._accepted.notify_all();
		}
		WebSocketEndpointImpl& endpoint;
	} counted(*this);
	const std::shared_ptr<WebSocketHandler> handler = this->handler();
	if (!handler)
		throw HttpError(503, "plugin_unavailable", "the plugin serving this endpoint is not running; try again").withHeader("Retry-After", "1");
	try
	{
		handler->accept(request, *socket);
	}
	catch (...)
	{
		socket->setContext(nullptr);  // the handler's object, while its code is sure to be loaded
		throw;
	}
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_sockets.emplace(socket->id(), socket);
	}
	opened();
}

void WebSocketEndpointImpl::onOpen(const std::shared_ptr<WebSocketImpl>& socket)
{
	// Detached: the next version's handler gets onResume() instead.
	if (const std::shared_ptr<WebSocketHandler> handler = this->handler()) handler->onOpen(socket);
}

void WebSocketEndpointImpl::onText(const std::shared_ptr<WebSocketImpl>& socket, std::string text)
{
	const std::shared_ptr<WebSocketHandler> handler = this->handler();
	if (handler && !socket->holding())
	{
		handler->onText(socket, text);
		return;
	}
	if (!socket->hold(std::move(text), _options.maxPending))
		socket->close(CloseCode::TryAgainLater, "too much sent while the server reloads");
}

void WebSocketEndpointImpl::onClose(const std::shared_ptr<WebSocketImpl>& socket, std::uint16_t code)
{
	// A connection still held was never handed to the current handler.
	const std::shared_ptr<WebSocketHandler> handler = this->handler();
	if (handler && !socket->holding()) handler->onClose(socket, code);
}

void WebSocketEndpointImpl::release(WebSocketImpl& socket)
{
	socket.setContext(nullptr);
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_sockets.erase(socket.id());
	}
	unreserve();
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

void WebSocketEndpointImpl::detach()
{
	std::atomic_store(&_handler, std::shared_ptr<WebSocketHandler>());
	std::lock_guard<std::mutex> lock(_mutex);
	_next.reset();
}

bool WebSocketEndpointImpl::waitAccepts(const Poco::Timespan& timeout)
{
	std::unique_lock<std::mutex> lock(_mutex);
	return _accepted.wait_for(lock, std::chrono::microseconds(timeout.totalMicroseconds()), [this] { return _accepting == 0; });
}

bool WebSocketEndpointImpl::dropContexts(const Poco::Timespan& timeout)
{
	// Every barrier's closure holds the token: once the last is destroyed
	// (run, or dropped with its loop's batch), every context is gone.
	auto token = std::make_shared<int>(0);
	const std::weak_ptr<int> watch = token;
	for (const auto& socket: everySocket())
	{
		std::weak_ptr<WebSocketImpl> weak = socket;
		socket->postBarrier([weak, token]
		{
			if (const std::shared_ptr<WebSocketImpl> socket = weak.lock())
			{
				socket->setContext(nullptr);
				socket->startHolding();
			}
		});
	}
	token.reset();
	const Poco::Timestamp started;
	while (!watch.expired())
	{
		if (started.isElapsed(timeout.totalMicroseconds())) return false;
		std::this_thread::sleep_for(std::chrono::milliseconds(2));
	}
	return true;
}

void WebSocketEndpointImpl::adopt(std::shared_ptr<WebSocketHandler> handler)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_next = std::move(handler);
}

void WebSocketEndpointImpl::resume()
{
	std::shared_ptr<WebSocketHandler> next;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		next.swap(_next);
	}
	if (!next)
	{
		if (!handler()) closeAll();
		return;
	}
	std::atomic_store(&_handler, next);
	const std::shared_ptr<WebSocketEndpointImpl> self = shared_from_this();
	for (const auto& socket: everySocket())
		socket->post([self](WebSocket& socket) { self->resumeOn(static_cast<WebSocketImpl&>(socket), true); });
}

void WebSocketEndpointImpl::resumeOn(WebSocketImpl& socket, bool first)
{
	// Detached again before this ran: the next version resumes it.
	const std::shared_ptr<WebSocketHandler> handler = this->handler();
	if (!handler) return;
	const std::shared_ptr<WebSocketImpl> self = socket.shared_from_this();
	if (first) handler->onResume(self);
	std::string text;
	if (!socket.nextHeld(text)) return;
	// One message a task: each finds the connection open (or is dropped), as the loop's own would.
	const std::shared_ptr<WebSocketEndpointImpl> endpoint = shared_from_this();
	socket.post([endpoint](WebSocket& socket) { endpoint->resumeOn(static_cast<WebSocketImpl&>(socket), false); });
	handler->onText(self, text);
}

void WebSocketEndpointImpl::closeAll()
{
	for (const auto& socket: everySocket()) socket->close(CloseCode::GoingAway, "the plugin serving this endpoint stopped");
}

} } // namespace Palaver::Server
