#include "WebSocketImpl.h"
#include "EventLoop.h"
#include "WebSocketEndpointImpl.h"

namespace Palaver {
namespace Server {

std::atomic<std::uint64_t> WebSocketImpl::_nextId{1};

WebSocketImpl::WebSocketImpl(EventLoop& loop, std::uint64_t connection, const Poco::Net::SocketAddress& peer,
	WebSocketEndpointImpl& endpoint):
	_loop(loop),
	_connection(connection),
	_id(_nextId.fetch_add(1, std::memory_order_relaxed)),
	_peer(peer),
	_endpoint(endpoint)
{
}

void WebSocketImpl::send(const WebSocketFrame::Ptr& frame)
{
	if (frame) _loop.sendFrame(_connection, frame);
}

void WebSocketImpl::close(std::uint16_t code, const std::string& reason)
{
	_loop.closeWebSocket(_connection, code, reason);
}

void WebSocketImpl::post(Task task)
{
	_loop.postTask(_connection, std::move(task));
}

void WebSocketImpl::postBarrier(std::function<void()> task)
{
	_loop.postBarrier(_connection, std::move(task));
}

bool WebSocketImpl::hold(std::string text, std::size_t bound)
{
	if (_heldBytes + text.size() > bound) return false;
	_heldBytes += text.size();
	_held.push_back(std::move(text));
	_holding = true;
	return true;
}

bool WebSocketImpl::nextHeld(std::string& text)
{
	if (_held.empty())
	{
		_holding = false;
		return false;
	}
	text = std::move(_held.front());
	_held.pop_front();
	_heldBytes -= text.size();
	return true;
}

void WebSocketImpl::setUser(Poco::Int64 userId, const std::string& session)
{
	Poco::Int64 previous = 0;
	bool open = false;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		previous = _userId;
		_userId = userId;
		_session = session;
		open = _open;
	}
	if (open) _endpoint.moved(shared_from_this(), previous, userId);
}

Poco::Int64 WebSocketImpl::userId() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _userId;
}

std::string WebSocketImpl::session() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _session;
}

void WebSocketImpl::opened()
{
	Poco::Int64 userId = 0;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_open = true;
		userId = _userId;
	}
	_endpoint.moved(shared_from_this(), 0, userId);
}

void WebSocketImpl::closed()
{
	Poco::Int64 userId = 0;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (!_open) return;
		_open = false;
		userId = _userId;
	}
	_endpoint.moved(shared_from_this(), userId, 0);
}

} } // namespace Palaver::Server
