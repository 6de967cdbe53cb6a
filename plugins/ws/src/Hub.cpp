#include "Hub.h"
#include "ReloadState.h"
#include "Settings.h"
#include <algorithm>
#include <chrono>

namespace Palaver {
namespace Ws {

Hub::Hub(const Settings& settings, Counter& framesOut):
	_presence(settings.presence),
	_conversations(settings.presence && settings.presenceScope == Settings::PresenceScope::Conversations),
	_rate(settings.rateLimit),
	_burst(settings.rateBurst),
	_framesOut(framesOut)
{
}

void Hub::setEndpoint(std::shared_ptr<WebSocketEndpoint> endpoint)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_endpoint = std::move(endpoint);
}

std::string Hub::presenceJson(Poco::Int64 userId, bool online)
{
	return std::string("{\"type\":\"presence\",\"userId\":") + std::to_string(userId) +
		",\"online\":" + (online ? "true" : "false") + "}";
}

Hub::Registration Hub::add(Poco::Int64 userId, const Member& member, std::size_t listMax)
{
	std::lock_guard<std::mutex> lock(_mutex);
	// Its session ended while the token was being looked up: registered all
	// the same (remove() follows from the close), but closed at once.
	const std::string& session = member.connection->session;
	if (!session.empty() && _ended.count(session))
		member.socket->close(WebSocketFrame::CloseCode::SessionEnded, "session ended");
	const bool wasOnline = onlineLocked(userId);
	Entry& entry = _users[userId];
	const bool first = entry.members.empty();
	// A resumed connection (a reload): the user is this node's again.
	if (first) forgetRemoteLocked(PREVIOUS_VERSION, userId);
	if (first) entry.tokens = _burst;
	entry.members.push_back(member);
	Registration registration;
	if (!_presence) return registration;
	if (first)
	{
		// Under the lock, so that presence changes reach every connection in order.
		if (!wasOnline) broadcastPresenceLocked(userId, true, member.socket->id());
		if (_listener) _listener(userId, true);
	}
	if (_conversations)
	{
		if (first) registration.loadTicket = _audience.expect(userId);
		else if (_audience.loaded(userId)) registration.online = partnersOnlineLocked(userId, listMax);
		return registration;
	}
	std::vector<Poco::Int64>& online = registration.online;
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
	return registration;
}

std::vector<Poco::Int64> Hub::partnersOnlineLocked(Poco::Int64 userId, std::size_t listMax) const
{
	std::vector<Poco::Int64> online;
	if (listMax == 0) return online;
	online.push_back(userId);
	for (Poco::Int64 partner: _audience.partnersOf(userId))
	{
		if (online.size() >= listMax) break;
		if (onlineLocked(partner)) online.push_back(partner);
	}
	return online;
}

bool Hub::installChats(Poco::Int64 userId, std::uint64_t ticket, const PresenceAudience::Chats& chats,
	std::size_t listMax, bool force)
{
	std::lock_guard<std::mutex> lock(_mutex);
	const PresenceAudience::Installed installed = _audience.install(userId, ticket, chats, force);
	if (installed == PresenceAudience::Installed::Stale) return false;
	if (installed == PresenceAudience::Installed::Outdated || !_endpoint) return true;
	auto it = _users.find(userId);
	if (it == _users.end()) return true;
	for (Poco::Int64 id: partnersOnlineLocked(userId, listMax))
	{
		const WebSocketFrame::Ptr frame = WebSocketFrame::text(presenceJson(id, true));
		for (const Member& member: it->second.members) sendLocked(member, frame, 0);
	}
	return true;
}

void Hub::subscribe(Poco::Int64 ownerId, const WebSocket::Ptr& socket, const std::vector<Poco::Int64>& userIds)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (!_endpoint) return;
	if (_conversations) _audience.subscribe(PresenceAudience::Subscriber{ownerId, socket}, userIds);
	for (Poco::Int64 userId: userIds)
	{
		_framesOut.inc();
		socket->send(WebSocketFrame::text(presenceJson(userId, onlineLocked(userId))));
	}
}

void Hub::partnersMet(Poco::Int64 a, Poco::Int64 b)
{
	if (!_conversations) return;
	std::lock_guard<std::mutex> lock(_mutex);
	if (!_endpoint) return;
	const std::pair<Poco::Int64, Poco::Int64> sides[] = {{a, b}, {b, a}};
	for (const auto& side: sides)
	{
		if (_audience.addPartner(side.first, side.second) && side.first != side.second && onlineLocked(side.second))
			deliverLocked(side.first, WebSocketFrame::text(presenceJson(side.second, true)), 0);
		if (a == b) break;
	}
}

void Hub::groupMembers(Poco::Int64 groupId, const std::vector<Poco::Int64>& memberIds)
{
	if (!_conversations) return;
	std::lock_guard<std::mutex> lock(_mutex);
	_audience.setGroupMembers(groupId, memberIds);
}

void Hub::remove(Poco::Int64 userId, std::uint64_t socket)
{
	std::lock_guard<std::mutex> lock(_mutex);
	auto it = _users.find(userId);
	if (it == _users.end()) return;
	auto& members = it->second.members;
	for (auto m = members.begin(); m != members.end(); ++m)
	{
		if (m->socket->id() == socket)
		{
			members.erase(m);
			break;
		}
	}
	if (_conversations) _audience.unsubscribe(socket);
	if (members.empty())
	{
		_users.erase(it);
		if (_presence)
		{
			if (!onlineLocked(userId)) broadcastPresenceLocked(userId, false, 0);
			if (_listener) _listener(userId, false);
		}
		if (_conversations) _audience.forget(userId);
	}
}

void Hub::endSessions(Poco::Int64 userId, const std::vector<std::string>& sessions)
{
	const Poco::Int64 now = nowMs();
	std::lock_guard<std::mutex> lock(_mutex);
	for (const std::string& session: sessions)
	{
		rememberEndedLocked(session, now);
		if (_endpoint) _endpoint->closeSession(session, WebSocketFrame::CloseCode::SessionEnded, "session ended");
	}
}

bool Hub::sessionEnded(Poco::Int64 userId, std::uint64_t socket) const
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (_ended.empty()) return false;
	auto it = _users.find(userId);
	if (it == _users.end()) return false;
	for (const Member& member: it->second.members)
	{
		if (member.socket->id() == socket) return _ended.count(member.connection->session) != 0;
	}
	return false;
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

void Hub::deliver(std::initializer_list<Poco::Int64> userIds, const WebSocketFrame::Ptr& frame, Poco::Int64 messageId)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (!_endpoint) return;
	const Poco::Int64* previous = nullptr;
	for (const Poco::Int64& userId: userIds)
	{
		if (previous && *previous == userId) continue;  // a message to oneself
		previous = &userId;
		deliverLocked(userId, frame, messageId);
	}
}

void Hub::deliverLocked(Poco::Int64 userId, const WebSocketFrame::Ptr& frame, Poco::Int64 messageId,
	std::vector<WebSocket::Ptr>* batch)
{
	auto it = _users.find(userId);
	if (it == _users.end()) return;
	for (const Member& member: it->second.members) sendLocked(member, frame, messageId, batch);
}

void Hub::sendLocked(const Member& member, const WebSocketFrame::Ptr& frame, Poco::Int64 messageId,
	std::vector<WebSocket::Ptr>* batch)
{
	_framesOut.inc();
	ChatConnection& connection = *member.connection;
	if (messageId == 0 || !connection.replaying.load(std::memory_order_acquire))
	{
		// The common case, straight to the connection's output queue.
		if (messageId != 0 && messageId <= connection.floor.load(std::memory_order_relaxed)) return;
		if (batch) batch->push_back(member.socket);
		else member.socket->send(frame);
		return;
	}
	// A replay is under way: the connection's I/O thread holds or drops it.
	std::shared_ptr<ChatConnection> held = member.connection;
	member.socket->post([held, messageId, frame](WebSocket& socket) { held->live(socket, messageId, frame); });
}

void Hub::pushToUsers(const std::vector<Poco::Int64>& userIds, const std::string& frame, Poco::Int64 messageId)
{
	std::vector<Poco::Int64> users(userIds);
	std::sort(users.begin(), users.end());
	users.erase(std::unique(users.begin(), users.end()), users.end());
	// Encoded once, outside the lock; every connection shares the bytes.
	const WebSocketFrame::Ptr bytes = WebSocketFrame::text(frame);
	std::vector<WebSocket::Ptr> batch;
	batch.reserve(users.size());
	std::lock_guard<std::mutex> lock(_mutex);
	if (!_endpoint) return;
	for (Poco::Int64 userId: users) deliverLocked(userId, bytes, messageId, &batch);
	// One hand-off per I/O thread for all of them (a group of thousands).
	_endpoint->sendToEach(batch, bytes);
}

void Hub::sendTo(const WebSocket::Ptr& socket, const WebSocketFrame::Ptr& frame)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (!_endpoint) return;
	_framesOut.inc();
	socket->send(frame);
}

void Hub::deliverAll(const WebSocketFrame::Ptr& frame)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (!_endpoint) return;
	_framesOut.inc();
	_endpoint->broadcast(frame);
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

void Hub::pushToUser(Poco::Int64 userId, const std::string& frame)
{
	const WebSocketFrame::Ptr bytes = WebSocketFrame::text(frame);
	std::lock_guard<std::mutex> lock(_mutex);
	if (!_endpoint) return;
	_framesOut.inc();
	_endpoint->pushToUser(userId, bytes);
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
	if (!_endpoint) return;
	const WebSocketFrame::Ptr frame = WebSocketFrame::text(presenceJson(userId, online));
	if (!_conversations)
	{
		for (const auto& user: _users)
		{
			for (const Member& member: user.second.members)
			{
				if (member.socket->id() != exclude) sendLocked(member, frame, 0);
			}
		}
		return;
	}
	// Those who share a chat with the user, then subscribers who are not among them.
	std::unordered_set<Poco::Int64> watchers;
	_audience.watchersOf(userId, watchers);
	for (Poco::Int64 watcher: watchers)
	{
		auto it = _users.find(watcher);
		if (it == _users.end()) continue;
		for (const Member& member: it->second.members)
		{
			if (member.socket->id() != exclude) sendLocked(member, frame, 0);
		}
	}
	_audience.forEachSubscriber(userId, [&](const PresenceAudience::Subscriber& subscriber)
	{
		if (subscriber.socket->id() == exclude || watchers.count(subscriber.ownerId)) return;
		_framesOut.inc();
		subscriber.socket->send(frame);
	});
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
		forgetRemoteLocked(node, userId);
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

void Hub::forgetRemoteLocked(const std::string& node, Poco::Int64 userId)
{
	auto it = _remote.find(userId);
	if (it == _remote.end()) return;
	it->second.erase(node);
	if (it->second.empty()) _remote.erase(it);
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

void Hub::saveTo(ReloadState& state) const
{
	std::lock_guard<std::mutex> lock(_mutex);
	for (auto& subscription: _audience.subscriptions())
		state.connections[subscription.first].subscribed = std::move(subscription.second);
	state.localUsers.reserve(_users.size());
	for (const auto& user: _users) state.localUsers.push_back(user.first);
	state.endedSessions.assign(_endedOrder.begin(), _endedOrder.end());
	for (const auto& user: _remote)
	{
		for (const std::string& node: user.second) state.remoteUsers[node].push_back(user.first);
	}
}

void Hub::restoreFrom(const ReloadState& state)
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		for (const auto& ended: state.endedSessions) rememberEndedLocked(ended.second, ended.first);
	}
	for (const auto& node: state.remoteUsers)
	{
		if (node.first != PREVIOUS_VERSION) replaceNode(node.first, node.second);
	}
	// Users of a version before the previous one still waiting (two reloads in a row) included.
	auto previous = state.remoteUsers.find(PREVIOUS_VERSION);
	std::vector<Poco::Int64> users = previous == state.remoteUsers.end() ? std::vector<Poco::Int64>() : previous->second;
	users.insert(users.end(), state.localUsers.begin(), state.localUsers.end());
	replaceNode(PREVIOUS_VERSION, users);
}

void Hub::endPreviousVersion()
{
	replaceNode(PREVIOUS_VERSION, {});
}

} } // namespace Palaver::Ws
