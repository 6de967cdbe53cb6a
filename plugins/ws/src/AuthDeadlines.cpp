#include "AuthDeadlines.h"
#include "ChatConnection.h"
#include <algorithm>
#include <chrono>
#include <vector>

namespace Palaver {
namespace Ws {

namespace {

// A connection is closed at most a quarter of the time-out late (and 50 ms
// to 1 s).
std::chrono::milliseconds checkInterval(Poco::Int64 timeoutMs)
{
	return std::chrono::milliseconds(std::clamp<Poco::Int64>(timeoutMs / 4, 50, 1000));
}

} // namespace

AuthDeadlines::AuthDeadlines(Poco::Int64 timeoutMs, Poco::Logger& logger):
	_timeoutMs(timeoutMs),
	_task("ws-auth-timer", "ws: authentication time-outs", checkInterval(timeoutMs), [this] { expire(); }, logger)
{
}

Poco::Int64 AuthDeadlines::nowMs()
{
	return std::chrono::duration_cast<std::chrono::milliseconds>(
		std::chrono::steady_clock::now().time_since_epoch()).count();
}

void AuthDeadlines::start()
{
	_task.start();
}

void AuthDeadlines::stop()
{
	_task.stop();
}

void AuthDeadlines::watch(const WebSocket::Ptr& socket)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_pending.emplace_back(nowMs() + _timeoutMs, socket);
}

void AuthDeadlines::watchUntil(const WebSocket::Ptr& socket, Poco::Int64 deadlineMs)
{
	std::lock_guard<std::mutex> lock(_mutex);
	// Behind the deadlines that come before it (resumed ones are mostly earlier than the rest).
	auto at = std::upper_bound(_pending.begin(), _pending.end(), deadlineMs,
		[](Poco::Int64 deadline, const std::pair<Poco::Int64, std::weak_ptr<WebSocket>>& entry) { return deadline < entry.first; });
	_pending.emplace(at, deadlineMs, socket);
}

std::vector<std::pair<std::uint64_t, Poco::Int64>> AuthDeadlines::pending()
{
	std::vector<std::pair<std::uint64_t, Poco::Int64>> open;
	std::lock_guard<std::mutex> lock(_mutex);
	for (const auto& entry: _pending)
	{
		if (WebSocket::Ptr socket = entry.second.lock()) open.emplace_back(socket->id(), entry.first);
	}
	return open;
}

void AuthDeadlines::expire()
{
	std::vector<WebSocket::Ptr> expired;
	{
		const Poco::Int64 now = nowMs();
		std::lock_guard<std::mutex> lock(_mutex);
		while (!_pending.empty() && _pending.front().first <= now)
		{
			if (WebSocket::Ptr socket = _pending.front().second.lock()) expired.push_back(std::move(socket));
			_pending.pop_front();
		}
	}
	for (const WebSocket::Ptr& socket: expired)
	{
		socket->post([](WebSocket& connection)
		{
			const ChatConnection::State state = connection.context<ChatConnection>()->state;
			if (state == ChatConnection::State::Open || state == ChatConnection::State::Authenticating)
				connection.close(WebSocketFrame::CloseCode::PolicyViolation, "authentication required");
		});
	}
}

} } // namespace Palaver::Ws
