#include "IoLoop.h"
#include "Dispatcher.h"
#include "Runtime.h"
#include "palaver/EpollInterest.h"
#include <Poco/Logger.h>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Palaver {
namespace Ws {

namespace {

constexpr std::uint64_t WAKE_ID = 1;
constexpr std::uint64_t LISTENER_ID = 2;
constexpr std::size_t READ_BUFFER = 65536;
constexpr int MAX_EVENTS = 256;
constexpr int READS_PER_EVENT = 4;   // fairness: level-triggered epoll brings us back
constexpr std::size_t MAX_KNOWN_USERS = 100000;  // receivers remembered per loop (then: via a worker)

} // namespace

IoLoop::IoLoop(unsigned index, Runtime& runtime):
	_index(index),
	_runtime(runtime),
	_acceptor(runtime.logger)
{
	_epoll = ::epoll_create1(EPOLL_CLOEXEC);
	if (_epoll < 0) throw Poco::SystemException("ws: cannot create epoll", std::strerror(errno));
	_mailbox.watchFrom(_epoll, WAKE_ID);
}

IoLoop::~IoLoop()
{
	stop();
	for (auto& entry: _connections) ::close(entry.second->fd);
	if (_listener >= 0) ::close(_listener);
	if (_epoll >= 0) ::close(_epoll);
}

void IoLoop::setListener(int fd, std::vector<IoLoop*> loops)
{
	_listener = fd;
	_loops = std::move(loops);
	epoll_event event{};
	event.events = EPOLLIN;
	event.data.u64 = LISTENER_ID;
	::epoll_ctl(_epoll, EPOLL_CTL_ADD, _listener, &event);
}

void IoLoop::start()
{
	_readBuffer.resize(READ_BUFFER);
	_nextPing = nowMs() + _runtime.settings.pingIntervalMs;
	_thread = std::thread([this] { run(); });
	const std::string name = "ws-io-" + std::to_string(_index);
	pthread_setname_np(_thread.native_handle(), name.c_str());
}

void IoLoop::stop()
{
	if (!_thread.joinable()) return;
	post(Command(Command::Type::Stop));
	_thread.join();
}

void IoLoop::post(Command command)
{
	Delivery delivery;
	delivery.command = std::make_unique<Command>(std::move(command));
	post(std::move(delivery));
}

void IoLoop::post(Delivery delivery)
{
	if (!_mailbox.post(delivery) && delivery.command && delivery.command->type == Command::Type::Adopt && delivery.command->fd >= 0)
		::close(delivery.command->fd);
}

Poco::Int64 IoLoop::nowMs()
{
	return std::chrono::duration_cast<std::chrono::milliseconds>(
		std::chrono::steady_clock::now().time_since_epoch()).count();
}

int IoLoop::timeoutMs(Poco::Int64 now) const
{
	Poco::Int64 next = _nextPing;
	if (!_timers.empty()) next = std::min(next, _timers.top().deadline);
	if (_stopping) next = std::min(next, _stopDeadline);
	Poco::Int64 wait = next - now;
	if (wait < 0) wait = 0;
	if (wait > 1000) wait = 1000;
	return static_cast<int>(wait);
}

void IoLoop::run()
{
	epoll_event events[MAX_EVENTS];
	for (;;)
	{
		const int n = ::epoll_wait(_epoll, events, MAX_EVENTS, timeoutMs(nowMs()));
		if (n < 0 && errno != EINTR)
		{
			_runtime.logger.error("ws: epoll_wait failed: %s", std::string(std::strerror(errno)));
			break;
		}
		for (int i = 0; i < n; ++i)
		{
			const std::uint64_t id = events[i].data.u64;
			if (id == WAKE_ID)
			{
				processMailbox();
			}
			else if (id == LISTENER_ID)
			{
				acceptAll();
			}
			else if (Connection* connection = find(id))
			{
				onEvent(*connection, events[i].events);
			}
		}
		const Poco::Int64 now = nowMs();
		runTimers(now);
		if (now >= _nextPing)
		{
			pingSweep();
			_nextPing = now + _runtime.settings.pingIntervalMs;
		}
		flushDirty();
		reap();
		if (_stopping && (_connections.empty() || now >= _stopDeadline)) break;
	}
	// Whatever is left after the shutdown grace period is cut.
	for (auto& entry: _connections)
	{
		if (entry.second->state != Connection::State::Dead) kill(*entry.second);
	}
	reap();
}

void IoLoop::processMailbox()
{
	for (Delivery& delivery: _mailbox.take())
	{
		if (delivery.command) handleCommand(*delivery.command);
		else handleDelivery(delivery);
	}
}

void IoLoop::handleDelivery(Delivery& delivery)
{
	if (delivery.learnUser > 0 && _knownUsers.size() < MAX_KNOWN_USERS) _knownUsers.insert(delivery.learnUser);
	Connection* connection = find(delivery.connection);
	if (!connection || connection->state != Connection::State::Ready) return;
	// message.stored may be published after the poster was answered,
	// so after a replay a message can come live once more: drop it.
	if (delivery.messageId > 0 && delivery.messageId <= connection->floor) return;
	if (connection->replaying && delivery.messageId > 0 && connection->held)
		connection->held->emplace_back(delivery.messageId, std::move(delivery.frame));
	else
		send(*connection, delivery.frame);
}

Connection* IoLoop::find(std::uint64_t id)
{
	auto it = _connections.find(id);
	if (it == _connections.end() || it->second->state == Connection::State::Dead) return nullptr;
	return it->second.get();
}

void IoLoop::handleCommand(Command& command)
{
	switch (command.type)
	{
	case Command::Type::Adopt:
		adopt(command);
		break;
	case Command::Type::Broadcast:
		for (auto& entry: _connections)
		{
			Connection& connection = *entry.second;
			if (connection.state == Connection::State::Ready && connection.id != command.exclude)
				send(connection, command.frame);
		}
		break;
	case Command::Type::AuthResult:
		if (Connection* connection = find(command.connection))
		{
			if (connection->state != Connection::State::Authenticating) break;
			if (command.user)
			{
				authenticated(*connection, command.user, command.session);
			}
			else if (connection->authFallback)
			{
				// A stale cookie: the client may still send an auth frame.
				connection->state = Connection::State::Open;
				resumeInput(*connection);
			}
			else
			{
				startClose(*connection, CloseCode::PolicyViolation, "invalid token");
			}
		}
		break;
	case Command::Type::ReplayResult:
		if (Connection* connection = find(command.connection))
		{
			if (connection->state == Connection::State::Ready && connection->replaying) replayDone(*connection, command);
		}
		break;
	case Command::Type::Close:
		if (Connection* connection = find(command.connection)) startClose(*connection, command.closeCode, command.reason);
		break;
	case Command::Type::Stop:
		if (_stopping) break;
		_mailbox.close();
		_stopping = true;
		_stopDeadline = nowMs() + _runtime.settings.closeTimeoutMs;
		if (_listener >= 0)
		{
			::epoll_ctl(_epoll, EPOLL_CTL_DEL, _listener, nullptr);
			::close(_listener);
			_listener = -1;
		}
		for (auto& entry: _connections)
		{
			Connection& connection = *entry.second;
			if (connection.state == Connection::State::Dead) continue;
			if (connection.upgraded) startClose(connection, CloseCode::GoingAway, "server shutting down");
			else kill(connection);
		}
		break;
	}
}

void IoLoop::acceptAll()
{
	for (int i = 0; i < 256; ++i)
	{
		const int fd = _acceptor.accept(_listener);
		if (fd < 0) return;
		const std::size_t max = _runtime.settings.maxConnections;
		if (max > 0 && _runtime.openConnections.load(std::memory_order_relaxed) >= max)
		{
			::close(fd);
			continue;
		}
		Command command(Command::Type::Adopt);
		command.fd = fd;
		IoLoop* target = _loops.empty() ? this : _loops[_nextLoop++ % _loops.size()];
		if (target == this) adopt(command);
		else target->post(std::move(command));
	}
}

void IoLoop::adopt(Command& command)
{
	const int fd = command.fd;
	command.fd = -1;
	if (_stopping)
	{
		::close(fd);
		return;
	}
	int one = 1;
	::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (_runtime.settings.sendBuffer > 0)
		::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &_runtime.settings.sendBuffer, sizeof(int));
	const int flags = ::fcntl(fd, F_GETFL, 0);
	::fcntl(fd, F_SETFL, flags | O_NONBLOCK);

	const std::uint64_t id = _runtime.nextConnectionId();
	auto owned = std::make_unique<Connection>(fd, id, _runtime.settings.maxFrame);
	Connection& connection = *owned;
	epoll_event event{};
	event.events = EPOLLIN;
	event.data.u64 = id;
	if (::epoll_ctl(_epoll, EPOLL_CTL_ADD, fd, &event) != 0)
	{
		_runtime.logger.warning("ws: epoll_ctl failed: %s", std::string(std::strerror(errno)));
		::close(fd);
		return;
	}
	connection.events = EPOLLIN;
	_connections.emplace(id, std::move(owned));
	_runtime.openConnections.fetch_add(1, std::memory_order_relaxed);

	if (command.upgraded)
	{
		// Upgraded on the HTTP port: the 101 answer is ours to write.
		send(connection, WebSocketFrame::fromBytes(std::move(command.initial)));
		afterUpgrade(connection, command.handshake);
	}
	else
	{
		addTimer(connection, TimerKind::Handshake, _runtime.settings.handshakeTimeoutMs);
	}
}

void IoLoop::onEvent(Connection& connection, std::uint32_t events)
{
	if (events & (EPOLLERR | EPOLLHUP))
	{
		// Read what is left (a close frame) before giving up.
		if (events & EPOLLIN) onReadable(connection);
		if (connection.state != Connection::State::Dead) kill(connection);
		return;
	}
	if (events & EPOLLOUT) flush(connection);
	if ((events & EPOLLIN) && connection.state != Connection::State::Dead) onReadable(connection);
}

void IoLoop::onReadable(Connection& connection)
{
	for (int i = 0; i < READS_PER_EVENT; ++i)
	{
		if (connection.state == Connection::State::Dead || connection.state == Connection::State::Authenticating) return;
		const ssize_t n = ::recv(connection.fd, _readBuffer.data(), _readBuffer.size(), 0);
		if (n == 0)
		{
			kill(connection);
			return;
		}
		if (n < 0)
		{
			if (errno == EAGAIN || errno == EWOULDBLOCK) return;
			if (errno == EINTR) continue;
			kill(connection);
			return;
		}
		if (connection.state == Connection::State::Handshake)
		{
			connection.in.append(_readBuffer.data(), static_cast<std::size_t>(n));
			onHandshakeData(connection);
		}
		else if (connection.state == Connection::State::Closing && (!connection.upgraded || connection.decoder.failed()))
		{
			// Nothing more to understand: discard.
		}
		else
		{
			feed(connection, _readBuffer.data(), static_cast<std::size_t>(n));
		}
		if (static_cast<std::size_t>(n) < _readBuffer.size()) return;
	}
}

void IoLoop::onHandshakeData(Connection& connection)
{
	HttpHead head;
	std::size_t headSize = 0;
	switch (Handshake::parse(connection.in, head, headSize))
	{
	case Handshake::ParseState::Incomplete:
		return;
	case Handshake::ParseState::TooLarge:
		refuse(connection, 431, "bad_request", "request head too large");
		return;
	case Handshake::ParseState::Malformed:
		refuse(connection, 400, "bad_request", "malformed HTTP request");
		return;
	case Handshake::ParseState::Complete:
		break;
	}
	HandshakeResult result = Handshake::check(head.method, head.target, head.headers, _runtime.origins);
	if (result.accepted()) Handshake::readCredentials(head.target, head.headers, _runtime.origins, result);
	if (!result.accepted())
	{
		refuse(connection, result.status, result.code, result.message);
		return;
	}
	// Bytes after the head are the client's first frames.
	std::string rest = connection.in.substr(headSize);
	std::string().swap(connection.in);
	send(connection, WebSocketFrame::fromBytes(Handshake::switchingProtocols(result.acceptKey)));
	connection.in = std::move(rest);
	afterUpgrade(connection, result);
}

void IoLoop::afterUpgrade(Connection& connection, const HandshakeResult& handshake)
{
	connection.upgraded = true;
	connection.state = Connection::State::Open;
	connection.hasSince = handshake.hasSince;
	connection.since = handshake.since;
	_runtime.connections.inc();
	addTimer(connection, TimerKind::Auth, _runtime.settings.authTimeoutMs);
	if (!handshake.token.empty())
	{
		beginAuth(connection, handshake.token, Credential::Token);
	}
	else if (!handshake.ticket.empty())
	{
		beginAuth(connection, handshake.ticket, Credential::Ticket);
	}
	else if (!handshake.cookieToken.empty())
	{
		beginAuth(connection, handshake.cookieToken, Credential::Cookie);
	}
	else if (!connection.in.empty())
	{
		resumeInput(connection);
	}
}

void IoLoop::beginAuth(Connection& connection, const std::string& secret, Credential kind)
{
	connection.state = Connection::State::Authenticating;
	connection.authFallback = kind == Credential::Cookie;
	updateInterest(connection);  // input paused until the answer
	const std::uint64_t id = connection.id;
	auto directory = _runtime.directory;
	IoLoop* self = this;
	const bool isTicket = kind == Credential::Ticket;
	const bool queued = _runtime.workers.submit([self, id, directory, secret, isTicket]
	{
		Command result(Command::Type::AuthResult);
		result.connection = id;
		try
		{
			const std::string token = isTicket ? directory->redeemTicket(secret) : secret;
			Poco::Optional<User> user = directory->userForToken(token);
			if (user.isSpecified())
			{
				result.user = std::make_shared<const User>(user.value());
				result.session = directory->sessionId(token);
			}
		}
		catch (...)
		{
			// Storage trouble: treated as a failed look-up.
		}
		self->post(std::move(result));
	});
	if (!queued) startClose(connection, CloseCode::TryAgainLater, "server busy");
}

void IoLoop::authenticated(Connection& connection, const std::shared_ptr<const User>& user, const std::string& session)
{
	connection.state = Connection::State::Ready;
	connection.user = user;
	connection.userId = user->id;
	connection.pingsOutstanding = 0;
	// Registered for live delivery before the replay query runs, so that a
	// message stored meanwhile is either in the replay or held (never lost).
	if (connection.hasSince)
	{
		connection.floor = connection.since;
		connection.replaying = true;
		connection.held = std::make_unique<std::vector<std::pair<Poco::Int64, FrameBytes>>>();
	}
	const std::vector<Poco::Int64> online = _runtime.hub.add(user->id, Hub::Ref{_index, connection.id, session}, _runtime.settings.presenceListMax);
	connection.registered = true;
	sendText(connection, "{\"type\":\"ready\",\"userId\":" + std::to_string(user->id) + "}");
	for (Poco::Int64 userId: online) sendText(connection, Hub::presenceJson(userId, true));
	if (connection.state != Connection::State::Ready) return;  // closed as a slow reader

	if (connection.hasSince)
	{
		const std::uint64_t id = connection.id;
		const Poco::Int64 userId = user->id;
		const Poco::Int64 since = connection.since;
		const std::size_t max = _runtime.settings.replayMax;
		std::shared_ptr<Runtime> runtime = _runtime.shared_from_this();
		IoLoop* self = this;
		const bool queued = _runtime.workers.submit([self, id, userId, since, max, runtime]
		{
			Dispatcher::replay(*self, id, userId, since, max, *runtime);
		});
		if (!queued)
		{
			Command failed(Command::Type::ReplayResult);
			failed.complete = false;
			failed.errorFrame = Dispatcher::errorJson("unavailable", "server busy, reload through HTTP");
			replayDone(connection, failed);
		}
	}
	resumeInput(connection);
}

void IoLoop::replayDone(Connection& connection, Command& command)
{
	connection.replaying = false;
	if (!command.errorFrame.empty()) sendText(connection, command.errorFrame);
	Poco::Int64 last = connection.since;
	std::size_t count = 0;
	for (auto& entry: command.replay)
	{
		send(connection, entry.second);
		last = std::max(last, entry.first);
		++count;
	}
	connection.floor = last;
	sendText(connection, std::string("{\"type\":\"replayed\",\"count\":") + std::to_string(count) +
		",\"complete\":" + (command.complete ? "true" : "false") + "}");
	if (connection.held)
	{
		auto held = std::move(connection.held);
		for (auto& entry: *held)
		{
			if (entry.first > last) send(connection, entry.second);
		}
	}
}

void IoLoop::resumeInput(Connection& connection)
{
	if (connection.state == Connection::State::Dead) return;
	updateInterest(connection);
	if (!connection.in.empty() && connection.state != Connection::State::Authenticating)
	{
		std::string buffered;
		buffered.swap(connection.in);
		feed(connection, buffered.data(), buffered.size());
	}
}

void IoLoop::feed(Connection& connection, const char* data, std::size_t size)
{
	connection.decoder.feed(connection.in, data, size, [this, &connection](FrameEvent& event) { return onFrame(connection, event); });
}

bool IoLoop::onFrame(Connection& connection, FrameEvent& event)
{
	_runtime.framesIn.inc();
	connection.pingsOutstanding = 0;
	if (connection.state == Connection::State::Closing)
	{
		if (event.type == FrameEvent::Type::Close)
		{
			kill(connection);  // the peer answered our close
			return false;
		}
		return event.type != FrameEvent::Type::Error;
	}
	switch (event.type)
	{
	case FrameEvent::Type::Error:
		startClose(connection, event.code, event.payload);
		return false;
	case FrameEvent::Type::Ping:
		send(connection, WebSocketFrame::fromBytes(WebSocketFrame::encode(Opcode::Pong, event.payload)));
		return true;
	case FrameEvent::Type::Pong:
		return true;
	case FrameEvent::Type::Close:
	{
		// Echo the code and reason, then close once it is written.
		const std::uint16_t code = event.code == CloseCode::NoStatus ? 0 : event.code;
		startClose(connection, code, code == 0 ? std::string() : event.payload);
		if (connection.state == Connection::State::Closing)
		{
			connection.closeAfterFlush = true;
			}
		return false;
	}
	case FrameEvent::Type::Binary:
		startClose(connection, CloseCode::Unsupported, "binary frames are not accepted");
		return false;
	case FrameEvent::Type::Text:
		Dispatcher::onText(*this, connection, event.payload, _runtime);
		return connection.state != Connection::State::Authenticating && connection.state != Connection::State::Dead;
	}
	return true;
}

void IoLoop::sendText(Connection& connection, const std::string& json)
{
	send(connection, WebSocketFrame::text(json));
}

void IoLoop::send(Connection& connection, const FrameBytes& frame)
{
	if (connection.state == Connection::State::Closing || connection.state == Connection::State::Dead) return;
	enqueue(connection, frame, false);
}

void IoLoop::enqueue(Connection& connection, const FrameBytes& bytes, bool control)
{
	if (bytes->size() == 0) return;
	if (!control && connection.output.pending() + bytes->size() > _runtime.settings.maxPending)
	{
		slowReader(connection);
		return;
	}
	_runtime.framesOut.inc();
	connection.output.push(bytes);
	// Written at the end of this loop iteration, so that a burst of frames
	// (fan-out, presence list, replay) goes out in one writev.
	if (connection.output.pending() == bytes->size() && !(connection.events & EPOLLOUT)) _dirty.push_back(connection.id);
}

void IoLoop::flush(Connection& connection)
{
	switch (connection.output.write(connection.fd))
	{
	case Server::WebSocketOutput::Result::Failed:
		kill(connection);
		return;
	case Server::WebSocketOutput::Result::Drained:
		if (connection.closeAfterFlush)
		{
			kill(connection);
			return;
		}
		if (connection.shutdownAfterFlush)
		{
			// Lingering close: the client reads our answer before it sees the
			// end, and what it still sends is drained, so no reset destroys it.
			connection.shutdownAfterFlush = false;
			::shutdown(connection.fd, SHUT_WR);
		}
		break;
	case Server::WebSocketOutput::Result::Blocked:
		break;
	}
	updateInterest(connection);
}

void IoLoop::flushDirty()
{
	// flush() may queue nothing new, but a kill may not reap yet: iterate a copy.
	std::vector<std::uint64_t> dirty;
	dirty.swap(_dirty);
	for (std::uint64_t id: dirty)
	{
		if (Connection* connection = find(id)) flush(*connection);
	}
}

void IoLoop::slowReader(Connection& connection)
{
	connection.output.dropUnstarted();
	if (connection.held) connection.held.reset();
	_runtime.logger.information("ws: closing a slow reader (user %Ld)", static_cast<long long>(connection.userId));
	startClose(connection, CloseCode::TryAgainLater, "slow reader");
}

void IoLoop::startClose(Connection& connection, std::uint16_t code, const std::string& reason)
{
	if (connection.state == Connection::State::Closing || connection.state == Connection::State::Dead) return;
	if (connection.registered)
	{
		_runtime.hub.remove(connection.userId, Hub::Ref{_index, connection.id, {}});
		connection.registered = false;
	}
	connection.replaying = false;
	connection.held.reset();
	connection.state = Connection::State::Closing;
	enqueue(connection, WebSocketFrame::fromBytes(WebSocketFrame::encodeClose(code, reason)), true);
	if (connection.state == Connection::State::Dead) return;
	addTimer(connection, TimerKind::Close, _runtime.settings.closeTimeoutMs);
	updateInterest(connection);
}

void IoLoop::refuse(Connection& connection, int status, const std::string& code, const std::string& message)
{
	std::string().swap(connection.in);
	connection.state = Connection::State::Closing;
	connection.shutdownAfterFlush = true;
	enqueue(connection, WebSocketFrame::fromBytes(Handshake::refusal(status, code, message)), true);
	if (connection.state == Connection::State::Dead) return;
	addTimer(connection, TimerKind::Close, _runtime.settings.closeTimeoutMs);
}

void IoLoop::updateInterest(Connection& connection)
{
	if (connection.state == Connection::State::Dead) return;
	std::uint32_t wanted = 0;
	if (connection.state != Connection::State::Authenticating) wanted |= EPOLLIN;
	if (!connection.output.empty()) wanted |= EPOLLOUT;
	setEpollInterest(_epoll, connection.fd, connection.id, wanted, connection.events);
}

void IoLoop::kill(Connection& connection)
{
	if (connection.state == Connection::State::Dead) return;
	if (connection.registered)
	{
		_runtime.hub.remove(connection.userId, Hub::Ref{_index, connection.id, {}});
		connection.registered = false;
	}
	if (connection.upgraded) _runtime.connections.dec();
	connection.state = Connection::State::Dead;
	::epoll_ctl(_epoll, EPOLL_CTL_DEL, connection.fd, nullptr);
	::close(connection.fd);
	connection.fd = -1;
	_dead.push_back(connection.id);
}

void IoLoop::reap()
{
	for (std::uint64_t id: _dead)
	{
		if (_connections.erase(id) > 0) _runtime.openConnections.fetch_sub(1, std::memory_order_relaxed);
	}
	_dead.clear();
}

void IoLoop::addTimer(Connection& connection, TimerKind kind, Poco::Int64 delayMs)
{
	_timers.push(Timer{nowMs() + delayMs, connection.id, kind});
}

void IoLoop::runTimers(Poco::Int64 now)
{
	while (!_timers.empty() && _timers.top().deadline <= now)
	{
		const Timer timer = _timers.top();
		_timers.pop();
		Connection* connection = find(timer.connection);
		if (!connection) continue;
		switch (timer.kind)
		{
		case TimerKind::Handshake:
			if (connection->state == Connection::State::Handshake) kill(*connection);
			break;
		case TimerKind::Auth:
			if (connection->state == Connection::State::Open || connection->state == Connection::State::Authenticating)
				startClose(*connection, CloseCode::PolicyViolation, "authentication required");
			break;
		case TimerKind::Close:
			if (connection->state == Connection::State::Closing) kill(*connection);
			break;
		}
	}
}

void IoLoop::pingSweep()
{
	const FrameBytes ping = WebSocketFrame::fromBytes(WebSocketFrame::encode(Opcode::Ping, "", 0));
	for (auto& entry: _connections)
	{
		Connection& connection = *entry.second;
		if (connection.state != Connection::State::Ready && connection.state != Connection::State::Open) continue;
		if (connection.pingsOutstanding >= 2)
		{
			startClose(connection, CloseCode::GoingAway, "ping timeout");
			continue;
		}
		++connection.pingsOutstanding;
		send(connection, ping);
	}
}

} } // namespace Palaver::Ws
