#include "Hub.h"
#include "IoLoop.h"
#include "Settings.h"
#include <algorithm>
#include <chrono>

namespace Palaver {
namespace Ws {

Hub::Hub(const Settings& settings):
	_presence(settings.presence),
	_rate(settings.rateLimit),
	_burst(settings.rateBurst)
{
}

void Hub::setLoops(std::vector<IoLoop*> loops)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_loops = std::move(loops);
}

std::string Hub::presenceJson(Poco::Int64 userId, bool online)
{
	return std::string("{\"type\":\"presence\",\"userId\":") + std::to_string(userId) +
		",\"online\":" + (online ? "true" : "false") + "}";
}

std::vector<Poco::Int64> Hub::add(Poco::Int64 userId, Ref ref, std::size_t listMax)
{
	std::lock_guard<std::mutex> lock(_mutex);
	// Its session ended while the token was being looked up: registered all
	// the same (remove() follows from the close), but closed at once.
	if (!ref.session.empty() && _ended.count(ref.session)) closeLocked(ref);
	const bool wasOnline = onlineLocked(userId);
	Entry& entry = _users[userId];
	const bool first = entry.refs.empty();
	if (first) entry.tokens = _burst;
	entry.refs.push_back(ref);
	if (first && _presence)
	{
		// Under the lock, so that presence changes reach every loop in order.
		if (!wasOnline) broadcastPresenceLocked(userId, true, ref.connection);
		if (_listener) _listener(userId, true);
	}
	std::vector<Poco::Int64> online;
	if (!_presence) return online;
	// The user itself first, so that a truncated list still names it.
	online.push_back(userId);
	for (const auto& user: _users)
	{
		if (online.size() >= listMax) break;
		if (user.first != userId) online.push_back(user.first);
	}
	for (const auto& user: _remote)
	{
		if (online.size() >= listMax) break;
		if (user.first != userId && _users.count(user.first) == 0) online.push_back(user.first);
	}
	if (listMax == 0) online.clear();
	return online;
}

void Hub::remove(Poco::Int64 userId, Ref ref)
{
	std::lock_guard<std::mutex> lock(_mutex);
	auto it = _users.find(userId);
	if (it == _users.end()) return;
	auto& refs = it->second.refs;
	for (auto r = refs.begin(); r != refs.end(); ++r)
	{
		if (r->connection == ref.connection)
		{
			refs.erase(r);
			break;
		}
	}
	if (refs.empty())
	{
		_users.erase(it);
		if (_presence)
		{
			if (!onlineLocked(userId)) broadcastPresenceLocked(userId, false, 0);
			if (_listener) _listener(userId, false);
		}
	}
}

void Hub::endSessions(Poco::Int64 userId, const std::vector<std::string>& sessions)
{
	const Poco::Int64 now = nowMs();
	std::lock_guard<std::mutex> lock(_mutex);
	for (const std::string& session: sessions) rememberEndedLocked(session, now);
	auto it = _users.find(userId);
	if (it == _users.end()) return;
	for (const Ref& ref: it->second.refs)
	{
		if (_ended.count(ref.session)) closeLocked(ref);
	}
}

bool Hub::sessionEnded(Poco::Int64 userId, std::uint64_t connection) const
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (_ended.empty()) return false;
	auto it = _users.find(userId);
	if (it == _users.end()) return false;
	for (const Ref& ref: it->second.refs)
	{
		if (ref.connection == connection) return _ended.count(ref.session) != 0;
	}
	return false;
}

void Hub::closeLocked(const Ref& ref)
{
	if (ref.loop >= _loops.size()) return;
	Command command(Command::Type::Close);
	command.connection = ref.connection;
	command.closeCode = SESSION_ENDED;
	command.reason = "session ended";
	_loops[ref.loop]->post(std::move(command));
}

void Hub::rememberEndedLocked(const std::string& session, Poco::Int64 now)
{
	while (!_endedOrder.empty() && (_endedOrder.size() >= ENDED_MEMORY_MAX || now - _endedOrder.front().first > ENDED_MEMORY_MS))
	{
		_ended.erase(_endedOrder.front().second);
		_endedOrder.pop_front();
	}
	if (_ended.insert(session).second) _endedOrder.emplace_back(now, session);
}

Poco::Int64 Hub::nowMs()
{
	return std::chrono::duration_cast<std::chrono::milliseconds>(
		std::chrono::steady_clock::now().time_since_epoch()).count();
}

void Hub::deliver(std::initializer_list<Poco::Int64> userIds, const FrameBytes& frame, Poco::Int64 messageId)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (_loops.empty()) return;
	const Poco::Int64* previous = nullptr;
	for (const Poco::Int64& userId: userIds)
	{
		if (previous && *previous == userId) continue;  // a message to oneself
		previous = &userId;
		deliverLocked(userId, frame, messageId);
	}
}

void Hub::deliverLocked(Poco::Int64 userId, const FrameBytes& frame, Poco::Int64 messageId)
{
	auto it = _users.find(userId);
	if (it == _users.end()) return;
	for (const Ref& ref: it->second.refs)
	{
		postLocked(ref, frame, messageId, 0);
	}
}

void Hub::pushToUsers(const std::vector<Poco::Int64>& userIds, const std::string& frame, Poco::Int64 messageId)
{
	std::vector<Poco::Int64> users(userIds);
	std::sort(users.begin(), users.end());
	users.erase(std::unique(users.begin(), users.end()), users.end());
	// Encoded once, outside the lock; every connection shares the bytes.
	const FrameBytes bytes = WebSocketFrame::text(frame);
	std::lock_guard<std::mutex> lock(_mutex);
	if (_loops.empty()) return;
	for (Poco::Int64 userId: users) deliverLocked(userId, bytes, messageId);
}

void Hub::sendTo(Ref ref, const FrameBytes& frame, Poco::Int64 learnUser)
{
	std::lock_guard<std::mutex> lock(_mutex);
	postLocked(ref, frame, 0, learnUser);
}

void Hub::postLocked(Ref ref, const FrameBytes& frame, Poco::Int64 messageId, Poco::Int64 learnUser)
{
	if (ref.loop >= _loops.size()) return;
	Delivery delivery;
	delivery.connection = ref.connection;
	delivery.frame = frame;
	delivery.messageId = messageId;
	delivery.learnUser = learnUser;
	_loops[ref.loop]->post(std::move(delivery));
}

void Hub::deliverAll(const FrameBytes& frame, std::uint64_t exclude)
{
	std::lock_guard<std::mutex> lock(_mutex);
	broadcastLocked(frame, exclude);
}

void Hub::broadcastLocked(const FrameBytes& frame, std::uint64_t exclude)
{
	for (IoLoop* loop: _loops)
	{
		Command command(Command::Type::Broadcast);
		command.frame = frame;
		command.exclude = exclude;
		loop->post(std::move(command));
	}
}

bool Hub::allowFrame(Poco::Int64 userId)
{
	const Poco::Int64 now = nowMs();
	std::lock_guard<std::mutex> lock(_mutex);
	auto it = _users.find(userId);
	if (it == _users.end()) return true;
	Entry& entry = it->second;
	if (entry.refilled == 0) entry.refilled = now;
	entry.tokens += static_cast<double>(now - entry.refilled) * _rate / 1000.0;
	if (entry.tokens > _burst) entry.tokens = _burst;
	entry.refilled = now;
	if (entry.tokens < 1.0) return false;
	entry.tokens -= 1.0;
	return true;
}

std::size_t Hub::onlineCount() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _users.size();
}

void Hub::pushToUser(Poco::Int64 userId, const std::string& frame)
{
	deliver({userId}, WebSocketFrame::text(frame));
}

void Hub::broadcast(const std::string& frame)
{
	deliverAll(WebSocketFrame::text(frame));
}

bool Hub::isOnline(Poco::Int64 userId) const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return onlineLocked(userId);
}

bool Hub::onlineLocked(Poco::Int64 userId) const
{
	return _users.count(userId) != 0 || _remote.count(userId) != 0;
}

void Hub::broadcastPresenceLocked(Poco::Int64 userId, bool online, std::uint64_t exclude)
{
	broadcastLocked(WebSocketFrame::text(presenceJson(userId, online)), exclude);
}

void Hub::setPresenceListener(PresenceListener listener)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_listener = std::move(listener);
}

void Hub::remotePresence(const std::string& node, Poco::Int64 userId, bool online)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (!_presence) return;
	const bool before = onlineLocked(userId);
	if (online)
	{
		_remote[userId].insert(node);
	}
	else
	{
		auto it = _remote.find(userId);
		if (it != _remote.end())
		{
			it->second.erase(node);
			if (it->second.empty()) _remote.erase(it);
		}
	}
	const bool after = onlineLocked(userId);
	if (before != after) broadcastPresenceLocked(userId, after, 0);
}

void Hub::replaceNode(const std::string& node, const std::vector<Poco::Int64>& userIds)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (!_presence) return;
	const std::unordered_set<Poco::Int64> now(userIds.begin(), userIds.end());
	std::vector<Poco::Int64> gone;
	for (auto& user: _remote)
	{
		if (user.second.count(node) && !now.count(user.first)) gone.push_back(user.first);
	}
	for (Poco::Int64 userId: gone)
	{
		auto it = _remote.find(userId);
		it->second.erase(node);
		if (it->second.empty())
		{
			_remote.erase(it);
			if (_users.count(userId) == 0) broadcastPresenceLocked(userId, false, 0);
		}
	}
	for (Poco::Int64 userId: now)
	{
		const bool before = onlineLocked(userId);
		_remote[userId].insert(node);
		if (!before) broadcastPresenceLocked(userId, true, 0);
	}
}

void Hub::announce(const std::function<void(const std::vector<Poco::Int64>&)>& snapshot)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (!_presence) return;
	std::vector<Poco::Int64> userIds;
	userIds.reserve(_users.size());
	for (const auto& user: _users) userIds.push_back(user.first);
	snapshot(userIds);
}

} } // namespace Palaver::Ws
