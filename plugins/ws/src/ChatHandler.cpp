#include "ChatHandler.h"
#include "Credentials.h"
#include "Runtime.h"
#include "palaver/Request.h"
#include <algorithm>

namespace Palaver {
namespace Ws {

ChatHandler::ChatHandler(std::shared_ptr<Runtime> runtime):
	_runtime(std::move(runtime)),
	_deadlines(_runtime->settings.authTimeoutMs, _runtime->logger)
{
}

void ChatHandler::start()
{
	_deadlines.start();
}

void ChatHandler::stop()
{
	_deadlines.stop();
}

bool ChatHandler::lookUp(Runtime& runtime, const std::string& secret, bool isTicket,
	std::shared_ptr<const User>& user, std::string& session)
{
	try
	{
		const std::string token = isTicket ? runtime.directory->redeemTicket(secret) : secret;
		if (token.empty()) return false;
		Poco::Optional<User> found = runtime.directory->userForToken(token);
		if (!found.isSpecified()) return false;
		user = std::make_shared<const User>(found.value());
		session = runtime.directory->sessionId(token);
		return true;
	}
	catch (...)
	{
		// Storage trouble: treated as a failed look-up.
		return false;
	}
}

void ChatHandler::accept(Request& request, WebSocket& socket)
{
	const Credentials credentials = Credentials::read(request, _runtime->origins);
	auto connection = std::make_shared<ChatConnection>();
	connection->hasSince = credentials.hasSince;
	connection->since = credentials.since;
	// An explicit token or ticket must be valid; a cookie may be a stale one
	// of another session in the browser: an auth frame may still follow.
	if (!credentials.token.empty() || !credentials.ticket.empty())
	{
		const bool isTicket = credentials.token.empty();
		const bool known = lookUp(*_runtime, isTicket ? credentials.ticket : credentials.token, isTicket,
			connection->user, connection->session);
		connection->state = known ? ChatConnection::State::Ready : ChatConnection::State::Refused;
	}
	else if (!credentials.cookieToken.empty() &&
		lookUp(*_runtime, credentials.cookieToken, false, connection->user, connection->session))
	{
		connection->state = ChatConnection::State::Ready;
	}
	if (connection->state == ChatConnection::State::Ready) socket.setUser(connection->user->id, connection->session);
	socket.setContext(connection);
}

void ChatHandler::onOpen(const WebSocket::Ptr& socket)
{
	_runtime->connections.inc();
	ChatConnection& connection = *socket->context<ChatConnection>();
	switch (connection.state)
	{
	case ChatConnection::State::Refused:
		socket->close(WebSocketFrame::CloseCode::PolicyViolation, "invalid token");
		break;
	case ChatConnection::State::Ready:
		authenticated(socket, connection);
		break;
	case ChatConnection::State::Open:
	case ChatConnection::State::Authenticating:
		_deadlines.watch(socket);
		break;
	}
}

void ChatHandler::saveTo(ReloadState& state)
{
	for (const auto& deadline: _deadlines.pending()) state.connections[deadline.first].authDeadlineMs = deadline.second;
}

void ChatHandler::restoreFrom(const ReloadState& state)
{
	std::lock_guard<std::mutex> lock(_resumedMutex);
	_resumed = state.connections;
}

ReloadState::Connection ChatHandler::takeResumed(std::uint64_t socketId)
{
	std::lock_guard<std::mutex> lock(_resumedMutex);
	auto it = _resumed.find(socketId);
	if (it == _resumed.end()) return ReloadState::Connection();
	ReloadState::Connection resumed = std::move(it->second);
	_resumed.erase(it);
	return resumed;
}

void ChatHandler::onResume(const WebSocket::Ptr& socket)
{
	// Counted by the previous version already (the gauge is the core's).
	auto connection = std::make_shared<ChatConnection>();
	connection->resumed = true;
	socket->setContext(connection);
	ReloadState::Connection previous = takeResumed(socket->id());
	const Poco::Int64 userId = socket->userId();
	if (userId == 0)
	{
		if (previous.authDeadlineMs != 0) _deadlines.watchUntil(socket, previous.authDeadlineMs);
		else _deadlines.watch(socket);
		return;
	}
	connection->resubscribe = std::move(previous.subscribed);
	connection->state = ChatConnection::State::Authenticating;
	std::shared_ptr<Runtime> runtime = _runtime;
	ChatHandler* self = this;
	const bool queued = _runtime->workers.submit([self, runtime, socket, userId]
	{
		std::shared_ptr<const User> user;
		try
		{
			Poco::Optional<User> found = runtime->directory->findUser(userId);
			if (found.isSpecified()) user = std::make_shared<const User>(found.value());
		}
		catch (...)
		{
			// Storage trouble: closed as an unknown user, the client connects again.
		}
		const std::string session = socket->session();
		socket->post([self, socket, user, session](WebSocket&) { self->authResult(socket, user, session); });
	});
	if (!queued) socket->close(WebSocketFrame::CloseCode::TryAgainLater, "server busy");
}

void ChatHandler::onText(const WebSocket::Ptr& socket, const std::string& text)
{
	_runtime->framesIn.inc();
	ChatConnection& connection = *socket->context<ChatConnection>();
	if (connection.state == ChatConnection::State::Authenticating)
	{
		// Handled once the look-up is done, in order (as if input were paused).
		if (connection.early.size() < ChatConnection::MAX_EARLY) connection.early.push_back(text);
		else Dispatcher::reply(*socket, Dispatcher::errorJson("unauthorized", "authenticate first"), *_runtime);
		return;
	}
	Dispatcher::onText(*this, socket, connection, text, *_runtime);
}

void ChatHandler::onClose(const WebSocket::Ptr& socket, std::uint16_t)
{
	_runtime->connections.dec();
	ChatConnection& connection = *socket->context<ChatConnection>();
	if (!connection.registered) return;
	connection.registered = false;
	_runtime->hub.remove(connection.user->id, socket->id());
}

void ChatHandler::beginAuth(const WebSocket::Ptr& socket, ChatConnection& connection, const std::string& token)
{
	connection.state = ChatConnection::State::Authenticating;
	std::shared_ptr<Runtime> runtime = _runtime;
	ChatHandler* self = this;
	const bool queued = _runtime->workers.submit([self, runtime, socket, token]
	{
		std::shared_ptr<const User> user;
		std::string session;
		lookUp(*runtime, token, false, user, session);
		socket->post([self, socket, user, session](WebSocket&) { self->authResult(socket, user, session); });
	});
	if (!queued) socket->close(WebSocketFrame::CloseCode::TryAgainLater, "server busy");
}

void ChatHandler::authResult(const WebSocket::Ptr& socket, const std::shared_ptr<const User>& user, const std::string& session)
{
	ChatConnection& connection = *socket->context<ChatConnection>();
	if (connection.state != ChatConnection::State::Authenticating) return;
	if (!user)
	{
		socket->close(WebSocketFrame::CloseCode::PolicyViolation, "invalid token");
		return;
	}
	connection.user = user;
	connection.session = session;
	socket->setUser(user->id, session);
	authenticated(socket, connection);
	std::vector<std::string> early;
	early.swap(connection.early);
	for (const std::string& text: early) Dispatcher::onText(*this, socket, connection, text, *_runtime);
}

void ChatHandler::authenticated(const WebSocket::Ptr& socket, ChatConnection& connection)
{
	connection.state = ChatConnection::State::Ready;
	const Poco::Int64 userId = connection.user->id;
	// Registered for live delivery before the replay query runs, so that a
	// message stored meanwhile is either in the replay or held (never lost).
	if (connection.hasSince)
	{
		connection.floor.store(connection.since, std::memory_order_relaxed);
		connection.held = std::make_unique<ChatConnection::Held>();
		connection.replaying.store(true, std::memory_order_release);
	}
	const Hub::Registration registration = _runtime->hub.add(userId,
		Hub::Member{socket, socket->context<ChatConnection>()}, _runtime->settings.presenceListMax);
	connection.registered = true;
	if (!connection.resumed)
		Dispatcher::reply(*socket, "{\"type\":\"ready\",\"userId\":" + std::to_string(userId) + "}", *_runtime);
	for (Poco::Int64 id: registration.online) Dispatcher::reply(*socket, Hub::presenceJson(id, true), *_runtime);
	if (registration.loadTicket != 0) loadChats(userId, registration.loadTicket);
	if (!connection.resubscribe.empty())
	{
		// As if the client had sent its presence frame again: the presence of each, at once.
		_runtime->hub.subscribe(userId, socket, connection.resubscribe);
		connection.resubscribe.clear();
	}
	if (!connection.hasSince) return;

	std::shared_ptr<Runtime> runtime = _runtime;
	ChatHandler* self = this;
	const Poco::Int64 since = connection.since;
	const bool queued = _runtime->workers.submit([self, runtime, socket, userId, since]
	{
		auto replay = std::make_shared<const Dispatcher::Replay>(
			Dispatcher::replay(userId, since, runtime->settings.replayMax, *runtime));
		socket->post([self, replay](WebSocket& target)
		{
			self->replayDone(target, *target.context<ChatConnection>(), *replay);
		});
	});
	if (!queued)
	{
		Dispatcher::Replay failed;
		failed.complete = false;
		failed.errorFrame = Dispatcher::errorJson("unavailable", "server busy, reload through HTTP");
		replayDone(*socket, connection, failed);
	}
}

void ChatHandler::loadChats(Poco::Int64 userId, std::uint64_t ticket)
{
	std::shared_ptr<Runtime> runtime = _runtime;
	const bool queued = _runtime->workers.submit([runtime, userId, ticket]
	{
		const std::shared_ptr<GroupDirectory> groups = runtime->groupDirectory();
		for (int attempt = 1; attempt <= LOAD_ATTEMPTS; ++attempt)
		{
			PresenceAudience::Chats chats;
			try
			{
				chats = PresenceAudience::load(runtime->store.get(), groups.get(), userId);
			}
			catch (...)
			{
				// Storage trouble: the user hears of partners from their next messages on.
				runtime->logger.warning("ws: the chats of user %Ld could not be read for presence", userId);
			}
			if (runtime->hub.installChats(userId, ticket, chats, runtime->settings.presenceListMax, attempt == LOAD_ATTEMPTS)) return;
		}
	});
	if (!queued)
	{
		_runtime->logger.warning("ws: workers busy: user %Ld hears of partners from their next messages on", userId);
		_runtime->hub.installChats(userId, ticket, PresenceAudience::Chats(), _runtime->settings.presenceListMax, true);
	}
}

void ChatHandler::replayDone(WebSocket& socket, ChatConnection& connection, const Dispatcher::Replay& replay)
{
	if (!connection.held) return;
	if (!replay.errorFrame.empty()) Dispatcher::reply(socket, replay.errorFrame, *_runtime);
	Poco::Int64 last = connection.since;
	for (const auto& entry: replay.frames)
	{
		socket.send(entry.second);
		last = std::max(last, entry.first);
	}
	_runtime->framesOut.inc(replay.frames.size());
	Dispatcher::reply(socket, std::string("{\"type\":\"replayed\",\"count\":") + std::to_string(replay.frames.size()) +
		",\"complete\":" + (replay.complete ? "true" : "false") + "}", *_runtime);
	// From here on live frames up to last are dropped, later ones sent:
	// first those held meanwhile, then (replaying is false) straight from the Hub.
	connection.floor.store(last, std::memory_order_relaxed);
	const std::unique_ptr<ChatConnection::Held> held = std::move(connection.held);
	for (const auto& entry: *held)
	{
		if (entry.first > last) socket.send(entry.second);
	}
	connection.replaying.store(false, std::memory_order_release);
}

} } // namespace Palaver::Ws
