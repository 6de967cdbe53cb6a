#include "EventLoop.h"
#include "EpollInterest.h"
#include "HttpDispatcher.h"
#include "WebSocketEndpointImpl.h"
#include "WebSocketHandshake.h"
#include "palaver/DeferredResponse.h"
#include "palaver/WorkerPool.h"
#include <Poco/Exception.h>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <limits>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Palaver {
namespace Server {

namespace {

constexpr std::uint64_t WAKE_ID = 1;
constexpr std::uint64_t LISTENER_ID = 2;         // + the listener's index
constexpr std::uint64_t FIRST_CONNECTION_ID = 1024;
constexpr std::size_t READ_BUFFER = 65536;
constexpr int MAX_EVENTS = 256;
constexpr int READS_PER_EVENT = 4;               // fairness: level-triggered epoll brings us back
constexpr int ACCEPTS_PER_EVENT = 64;
constexpr Poco::Int64 SWEEP_MS = 200;            // deadlines are checked this often
constexpr Poco::Int64 LINGER_MS = 2000;          // a closed connection drains the peer's bytes this long
constexpr Poco::Int64 NO_DEADLINE = std::numeric_limits<Poco::Int64>::max();
const char CONTINUE[] = "HTTP/1.1 100 Continue\r\n\r\n";

} // namespace

EventLoop::EventLoop(unsigned index, const TransportSettings& settings, HttpDispatcher& dispatcher, WorkerPool& workers,
	std::atomic<int>& inFlight):
	_index(index),
	_settings(settings),
	_parser(settings.limits),
	_dispatcher(dispatcher),
	_workers(workers),
	_inFlight(inFlight),
	_logger(Poco::Logger::get("palaver.http")),
	_acceptor(_logger),
	_nextId(FIRST_CONNECTION_ID)
{
	_epoll = ::epoll_create1(EPOLL_CLOEXEC);
	if (_epoll < 0) throw Poco::SystemException("cannot create epoll", std::strerror(errno));
	_mailbox.watchFrom(_epoll, WAKE_ID);
}

EventLoop::~EventLoop()
{
	stop();
	for (auto& entry: _connections)
	{
		if (entry.second->fd >= 0) ::close(entry.second->fd);
	}
	if (_epoll >= 0) ::close(_epoll);
}

void EventLoop::listen(int fd, WebSocketEndpointImpl* endpoint)
{
	epoll_event event{};
	// One loop is woken per new connection, not all of them.
	event.events = EPOLLIN | EPOLLEXCLUSIVE;
	event.data.u64 = LISTENER_ID + _listeners.size();
	if (::epoll_ctl(_epoll, EPOLL_CTL_ADD, fd, &event) < 0)
		throw Poco::SystemException("cannot watch a listener", std::strerror(errno));
	_listeners.push_back(Listener{fd, endpoint});
}

void EventLoop::start()
{
	_readBuffer.resize(READ_BUFFER);
	_nextSweep = nowMs() + SWEEP_MS;
	_thread = std::thread([this] { run(); });
	const std::string name = "http-io-" + std::to_string(_index);
	pthread_setname_np(_thread.native_handle(), name.substr(0, 15).c_str());
}

void EventLoop::stopListening()
{
	for (const Listener& listener: _listeners) ::epoll_ctl(_epoll, EPOLL_CTL_DEL, listener.fd, nullptr);
}

void EventLoop::stop()
{
	if (!_thread.joinable()) return;
	// An empty answer to no connection: wakes the loop, which then sees _stopping.
	_stopping = true;
	complete(0, HttpAnswer());
	_thread.join();
}

void EventLoop::complete(std::uint64_t connection, HttpAnswer answer)
{
	Completion completion;
	completion.connection = connection;
	completion.answer = std::move(answer);
	// An answer made on this thread (a handler run here) is handled after
	// the current events, without the mailbox's lock and eventfd.
	if (onLoopThread())
	{
		_local.push_back(std::move(completion));
		return;
	}
	post(completion);
}

void EventLoop::post(Completion& completion)
{
	if (_mailbox.post(completion)) return;
	// Stopped: an accepted upgrade that will never open gives its place back.
	if (completion.answer.upgrade) completion.answer.upgrade->endpoint().release(*completion.answer.upgrade);
}

bool EventLoop::onLoopThread() const
{
	return std::this_thread::get_id() == _threadId;
}

void EventLoop::sendFrame(std::uint64_t connection, const WebSocketFrame::Ptr& frame)
{
	if (onLoopThread())
	{
		enqueueData(connection, frame);
		return;
	}
	Completion completion;
	completion.connection = connection;
	completion.kind = Completion::Kind::Frame;
	completion.frame = frame;
	post(completion);
}

void EventLoop::sendFrames(std::vector<std::uint64_t> connections, const WebSocketFrame::Ptr& frame)
{
	if (connections.empty()) return;
	if (onLoopThread())
	{
		for (std::uint64_t connection: connections) enqueueData(connection, frame);
		return;
	}
	Completion completion;
	completion.kind = Completion::Kind::Frames;
	completion.frame = frame;
	completion.connections = std::move(connections);
	post(completion);
}

void EventLoop::closeWebSocket(std::uint64_t connection, std::uint16_t code, const std::string& reason)
{
	if (onLoopThread())
	{
		if (HttpConnection* target = find(connection)) startClose(*target, code, reason);
		return;
	}
	Completion completion;
	completion.connection = connection;
	completion.kind = Completion::Kind::Close;
	completion.code = code;
	completion.reason = reason;
	post(completion);
}

void EventLoop::postTask(std::uint64_t connection, WebSocket::Task task)
{
	Completion completion;
	completion.connection = connection;
	completion.kind = Completion::Kind::Task;
	completion.task = std::move(task);
	post(completion);
}

void EventLoop::postBarrier(std::uint64_t connection, std::function<void()> task)
{
	Completion completion;
	completion.connection = connection;
	completion.kind = Completion::Kind::Barrier;
	completion.barrier = std::move(task);
	post(completion);
}

Poco::Int64 EventLoop::nowMs()
{
	return std::chrono::duration_cast<std::chrono::milliseconds>(
		std::chrono::steady_clock::now().time_since_epoch()).count();
}

void EventLoop::run()
{
	_threadId = std::this_thread::get_id();
	epoll_event events[MAX_EVENTS];
	while (!_stopping)
	{
		const int timeout = _local.empty() ? static_cast<int>(std::max<Poco::Int64>(0, _nextSweep - nowMs())) : 0;
		const int n = ::epoll_wait(_epoll, events, MAX_EVENTS, timeout);
		if (n < 0 && errno != EINTR)
		{
			_logger.error("epoll_wait failed: %s", std::string(std::strerror(errno)));
			break;
		}
		for (int i = 0; i < n; ++i)
		{
			const std::uint64_t id = events[i].data.u64;
			if (id == WAKE_ID)
			{
				processMailbox();
			}
			else if (id < FIRST_CONNECTION_ID)
			{
				acceptAll(_listeners[id - LISTENER_ID]);
			}
			else if (HttpConnection* connection = find(id))
			{
				handle(*connection, events[i].events);
			}
		}
		const Poco::Int64 now = nowMs();
		if (now >= _nextSweep)
		{
			sweep(now);
			_nextSweep = now + SWEEP_MS;
		}
		processLocal();
		flushDirty();
		reap();
	}
	// Deferred answers still open are answered 503 now; then answers
	// already handled are written if the socket takes them at once.
	for (auto& entry: _connections)
	{
		HttpConnection& connection = *entry.second;
		if (connection.state == HttpConnection::State::Dispatched) expireDeferred(connection, nowMs());
	}
	processLocal();
	processMailbox();
	for (auto& entry: _connections)
	{
		HttpConnection& connection = *entry.second;
		startClose(connection, CloseCode::GoingAway, "server shutting down");
		if (connection.state == HttpConnection::State::Writing || connection.webSocket) flush(connection);
		if (connection.state != HttpConnection::State::Dead) kill(connection);
	}
	reap();
}

void EventLoop::processMailbox()
{
	for (Completion& completion: _mailbox.take()) handleCompletion(completion);
	_mailbox.finish();
}

void EventLoop::processLocal()
{
	// Answers made while these are handled (a pipelined request's) wait for
	// the next iteration, after the other connections' events.
	std::vector<Completion> local;
	local.swap(_local);
	for (Completion& completion: local) handleCompletion(completion);
	local.clear();
	if (_local.empty()) _local.swap(local);  // keeps its capacity
}

void EventLoop::handleCompletion(Completion& completion)
{
	HttpConnection* connection = find(completion.connection);
	switch (completion.kind)
	{
	case Completion::Kind::Answer:
		if (connection) answer(*connection, std::move(completion.answer));
		else if (completion.answer.upgrade) completion.answer.upgrade->endpoint().release(*completion.answer.upgrade);
		break;
	case Completion::Kind::Part:
		if (connection) writePart(*connection, completion);
		break;
	case Completion::Kind::BodyTaken:
		if (connection) bodyTaken(*connection, completion);
		break;
	case Completion::Kind::Frame:
		if (connection && connection->state == HttpConnection::State::WebSocket) enqueue(*connection, completion.frame, false);
		break;
	case Completion::Kind::Frames:
		for (std::uint64_t id: completion.connections) enqueueData(id, completion.frame);
		break;
	case Completion::Kind::Close:
		if (connection) startClose(*connection, completion.code, completion.reason);
		break;
	case Completion::Kind::Task:
		if (connection && connection->state == HttpConnection::State::WebSocket)
		{
			const std::shared_ptr<WebSocketImpl> socket = connection->webSocket->socket;
			callHandler(*connection, "a posted task", [&completion, &socket] { completion.task(*socket); });
		}
		break;
	case Completion::Kind::Barrier:
		completion.barrier();
		break;
	}
}

void EventLoop::acceptAll(const Listener& listener)
{
	// An endpoint's listener reads the upgrade request within its handshake time-out.
	const Poco::Int64 readTimeoutMs = listener.endpoint ? listener.endpoint->options().handshakeTimeoutMs : _settings.readTimeoutMs;
	for (int i = 0; i < ACCEPTS_PER_EVENT; ++i)
	{
		sockaddr_storage address{};
		socklen_t length = sizeof(address);
		const int fd = _acceptor.accept(listener.fd, &address, &length);
		if (fd < 0) return;
		int one = 1;
		::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		const std::uint64_t id = _nextId++;
		auto connection = std::make_unique<HttpConnection>(fd, id,
			Poco::Net::SocketAddress(reinterpret_cast<const sockaddr*>(&address), length), listener.endpoint);
		// The first request's read time-out runs from the connection's start.
		connection->requestStarted = readTimeoutMs > 0;
		connection->deadline = nowMs() + (readTimeoutMs > 0 ? readTimeoutMs : _settings.keepAliveMs);
		epoll_event event{};
		event.events = EPOLLIN;
		event.data.u64 = id;
		if (::epoll_ctl(_epoll, EPOLL_CTL_ADD, fd, &event) < 0)
		{
			::close(fd);
			continue;
		}
		connection->events = EPOLLIN;
		_connections.emplace(id, std::move(connection));
	}
}

HttpConnection* EventLoop::find(std::uint64_t id)
{
	auto it = _connections.find(id);
	if (it == _connections.end() || it->second->state == HttpConnection::State::Dead) return nullptr;
	return it->second.get();
}

void EventLoop::handle(HttpConnection& connection, std::uint32_t events)
{
	// Whatever a connection's bytes make its handling throw ends that
	// connection only: the loop serves every other one.
	try
	{
		onEvent(connection, events);
	}
	catch (std::exception& e)
	{
		_logger.error("connection from %s closed: %s", connection.peer.toString(), std::string(e.what()));
		if (connection.state != HttpConnection::State::Dispatched)
		{
			kill(connection);
			return;
		}
		// A worker has the descriptor: it closes once the worker is done.
		if (!connection.peerGone) ::epoll_ctl(_epoll, EPOLL_CTL_DEL, connection.fd, nullptr);
		connection.peerGone = true;
		connection.events = 0;
	}
}

void EventLoop::onEvent(HttpConnection& connection, std::uint32_t events)
{
	if (connection.state == HttpConnection::State::Dispatched)
	{
		// Input is paused while a worker has the request: stop watching what
		// would be reported again and again (interest is dropped only now, not
		// at every dispatch: most clients send nothing until answered). After
		// an error or a hang-up, the connection closes once the worker is done
		// with the descriptor.
		if (events & (EPOLLERR | EPOLLHUP))
		{
			connection.peerGone = true;
			::epoll_ctl(_epoll, EPOLL_CTL_DEL, connection.fd, nullptr);
			connection.events = 0;
		}
		else
		{
			updateInterest(connection);
		}
		return;
	}
	if (events & EPOLLERR)
	{
		kill(connection);
		return;
	}
	if (events & EPOLLOUT) flush(connection);
	if (connection.state == HttpConnection::State::Dead) return;
	if (events & (EPOLLIN | EPOLLHUP)) onReadable(connection);
}

void EventLoop::onReadable(HttpConnection& connection)
{
	for (int i = 0; i < READS_PER_EVENT; ++i)
	{
		if (connection.state == HttpConnection::State::Dispatched || connection.state == HttpConnection::State::Writing ||
			connection.state == HttpConnection::State::Dead) return;
		const ssize_t n = ::recv(connection.fd, _readBuffer.data(), _readBuffer.size(), 0);
		if (n < 0)
		{
			if (errno == EINTR) continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK) kill(connection);
			return;
		}
		if (n == 0)
		{
			onEndOfInput(connection);
			return;
		}
		if (connection.state == HttpConnection::State::Lingering) continue;  // drained, never read as a request
		if (connection.webSocket)
		{
			feed(connection, _readBuffer.data(), static_cast<std::size_t>(n));
			if (static_cast<std::size_t>(n) < _readBuffer.size()) return;
			continue;
		}
		if (!connection.requestStarted)
		{
			connection.requestStarted = true;
			connection.deadline = _settings.readTimeoutMs > 0 ? nowMs() + _settings.readTimeoutMs : NO_DEADLINE;
		}
		connection.in.append(_readBuffer.data(), static_cast<std::size_t>(n));
		processInput(connection);
		if (static_cast<std::size_t>(n) < _readBuffer.size()) return;
	}
}

void EventLoop::onEndOfInput(HttpConnection& connection)
{
	// A client that hung up before sending the whole body it announced:
	// never handle a truncated body as if it were whole.
	if (connection.state == HttpConnection::State::ReceivingBody)
		refuseBody(connection, HttpError::badRequest("the request body ended early"));
	else if (connection.state == HttpConnection::State::Reading && connection.exchange)
		refuse(connection, HttpError::badRequest("the request body ended early"));
	else
		kill(connection);
}

void EventLoop::processInput(HttpConnection& connection)
{
	if (connection.state == HttpConnection::State::ReceivingBody)
	{
		feedBody(connection);
		return;
	}
	while (connection.state == HttpConnection::State::Reading)
	{
		if (!connection.exchange && !readHead(connection)) return;
		// A streamed body is read once its handler has taken it.
		if (!connection.exchange->bodyPending && connection.in.size() < connection.headSize + connection.bodyLength) return;
		dispatch(connection);
	}
}

bool EventLoop::readHead(HttpConnection& connection)
{
	std::size_t headSize = 0;
	switch (_parser.scan(connection.in, connection.scan, headSize))
	{
	case HttpParser::Head::Incomplete:
		return false;
	case HttpParser::Head::TooLarge:
		refuse(connection, HttpError(431, "bad_request", "request header fields too large"));
		return false;
	case HttpParser::Head::UriTooLong:
		refuse(connection, HttpError(414, "bad_request", "request target too long"));
		return false;
	case HttpParser::Head::Complete:
		break;
	}
	auto exchange = std::make_shared<HttpExchange>();
	try
	{
		HttpParser::parse(connection.in.data(), headSize, exchange->request);
	}
	catch (HttpError& e)
	{
		refuse(connection, e);
		return false;
	}
	connection.exchange = exchange;
	connection.headSize = headSize;
	connection.scan = HttpParser::Scan();
	exchange->keepAlive = exchange->request.getKeepAlive();
	exchange->loop = this;
	exchange->connection = connection.id;
	// An endpoint's listener serves its upgrades only, and a refusal ends the connection.
	exchange->webSocket = connection.listenerEndpoint ? connection.listenerEndpoint : _dispatcher.webSocketAt(exchange->request);
	if (connection.listenerEndpoint) exchange->keepAlive = false;
	try
	{
		// The route bounds the body (an upgrade has none); a malformed escape in the path is a 400 here.
		if (!exchange->webSocket) exchange->match = _dispatcher.match(exchange->request);
		exchange->bodyPending = exchange->match.route && exchange->match.route->options.streamBody;
		connection.bodyLength = HttpParser::bodyLength(exchange->request,
			exchange->webSocket ? 0 : _dispatcher.bodyLimit(exchange->match));
	}
	catch (HttpError& e)
	{
		refuse(connection, e);
		return false;
	}
	if (!exchange->bodyPending && connection.bodyLength > 0 && connection.in.size() < headSize + connection.bodyLength &&
		HttpParser::expectsContinue(exchange->request))
		write(connection, CONTINUE);
	return connection.state == HttpConnection::State::Reading;
}

void EventLoop::dispatch(HttpConnection& connection)
{
	std::shared_ptr<HttpExchange> exchange = std::move(connection.exchange);
	// A streamed body stays on the wire (and what came with the head in `in`)
	// until its receiver takes it.
	const std::size_t end = connection.headSize + (exchange->bodyPending ? 0 : connection.bodyLength);
	if (!exchange->bodyPending) exchange->body.assign(connection.in, connection.headSize, connection.bodyLength);
	connection.bodyRemaining = exchange->bodyPending ? connection.bodyLength : 0;
	if (end >= connection.in.size()) std::string().swap(connection.in);  // an idle connection keeps no buffer
	else connection.in.erase(0, end);
	exchange->client = connection.peer;
	connection.headSize = 0;
	connection.bodyLength = 0;
	connection.state = HttpConnection::State::Dispatched;

	connection.dispatched = exchange;
	// When it runs out, a deferred answer is timed out (see sweep()).
	connection.deadline = nowMs() + _settings.writeTimeoutMs;

	++_inFlight;
	HttpDispatcher& dispatcher = _dispatcher;
	std::atomic<int>& inFlight = _inFlight;
	EventLoop* loop = this;
	const std::uint64_t id = connection.id;
	const HttpDispatcher::Done done = [&inFlight, loop, id](HttpAnswer answer)
	{
		loop->complete(id, std::move(answer));
		--inFlight;
	};
	// No hand-off to a worker and back for a handler that does not block;
	// one that asks for a worker (Request::requireWorker()) goes on to one.
	if (HttpDispatcher::runsOnIoThread(*exchange) && _dispatcher.dispatchOnIoThread(exchange, done)) return;
	const bool queued = _workers.submit([exchange, &dispatcher, done]
	{
		dispatcher.dispatch(exchange, done);
	});
	if (!queued)
	{
		--_inFlight;
		answer(connection, _dispatcher.refuse(&exchange->request, connection.peer,
			HttpError::unavailable("the server is busy, try again"), exchange->keepAlive));
	}
}

void EventLoop::answer(HttpConnection& connection, HttpAnswer answer)
{
	if (answer.receiver && !connection.peerGone)
	{
		startReceiving(connection, std::move(answer.receiver));
		return;
	}
	connection.dispatched.reset();
	if (connection.peerGone)
	{
		if (answer.upgrade) answer.upgrade->endpoint().release(*answer.upgrade);
		kill(connection);
		return;
	}
	if (answer.upgrade)
	{
		openWebSocket(connection, answer.upgrade, std::move(answer.bytes));
		return;
	}
	connection.closeAfterWrite = answer.close;
	connection.stream = std::move(answer.stream);
	connection.state = HttpConnection::State::Writing;
	connection.deadline = nowMs() + _settings.writeTimeoutMs;
	if (connection.outOffset >= connection.out.size())
	{
		connection.out = std::move(answer.bytes);
		connection.outOffset = 0;
	}
	else
	{
		connection.out.append(answer.bytes);
	}
	flush(connection);
}

void EventLoop::nextPart(HttpConnection& connection)
{
	// Waits as a dispatched request does: nothing is read, and a peer that
	// hangs up meanwhile is closed once the part comes back.
	connection.state = HttpConnection::State::Dispatched;
	connection.deadline = nowMs() + _settings.writeTimeoutMs;
	updateInterest(connection);
	++_inFlight;
	std::atomic<int>& inFlight = _inFlight;
	Poco::Logger& logger = _logger;
	EventLoop* loop = this;
	const std::uint64_t id = connection.id;
	const std::shared_ptr<BodyStream> stream = connection.stream;
	const bool queued = _workers.submit([stream, &inFlight, &logger, loop, id]
	{
		Completion part;
		part.connection = id;
		part.kind = Completion::Kind::Part;
		try
		{
			part.answer.bytes = stream->produce(part.more);
		}
		catch (std::exception& e)
		{
			logger.error("a streamed answer failed and was cut short: %s", std::string(e.what()));
			part.failed = true;
		}
		loop->post(part);
		--inFlight;
	});
	if (!queued)
	{
		--_inFlight;
		_logger.warning("a streamed answer to %s was cut short: no worker took its next part", connection.peer.toString());
		kill(connection);
	}
}

void EventLoop::writePart(HttpConnection& connection, Completion& part)
{
	if (connection.peerGone || part.failed)
	{
		kill(connection);
		return;
	}
	if (!part.more) connection.stream.reset();
	connection.state = HttpConnection::State::Writing;
	connection.deadline = nowMs() + _settings.writeTimeoutMs;
	connection.out = std::move(part.answer.bytes);
	connection.outOffset = 0;
	flush(connection);
}

void EventLoop::startReceiving(HttpConnection& connection, std::shared_ptr<BodyReceiver> receiver)
{
	connection.receiver = std::move(receiver);
	const long routeTimeoutMs = connection.dispatched->match.route->options.bodyTimeoutMs;
	const Poco::Int64 timeoutMs = routeTimeoutMs > 0 ? routeTimeoutMs : _settings.readTimeoutMs;
	connection.bodyDeadline = timeoutMs > 0 ? nowMs() + timeoutMs : NO_DEADLINE;
	connection.state = HttpConnection::State::ReceivingBody;
	connection.deadline = connection.bodyDeadline;
	// Asked for only now: a handler that refused at the head spared the client its body.
	if (connection.bodyRemaining > connection.in.size() && HttpParser::expectsContinue(connection.dispatched->request))
		write(connection, CONTINUE);
	feedBody(connection);
}

void EventLoop::feedBody(HttpConnection& connection)
{
	if (connection.state == HttpConnection::State::Dead) return;
	const Poco::Int64 now = nowMs();
	if (now >= connection.bodyDeadline)
	{
		refuseBody(connection, HttpError(408, "request_timeout", "the request body did not arrive in time"));
		return;
	}
	if (connection.bodyRemaining == 0)
	{
		finishBody(connection);
		return;
	}
	if (connection.in.empty())
	{
		connection.state = HttpConnection::State::ReceivingBody;
		connection.deadline = connection.bodyDeadline;
		updateInterest(connection);
		return;
	}
	// One read at most (the read buffer's size) is with the receiver at a time.
	std::string part;
	if (connection.in.size() <= connection.bodyRemaining) part.swap(connection.in);
	else
	{
		part.assign(connection.in, 0, connection.bodyRemaining);
		connection.in.erase(0, connection.bodyRemaining);
	}
	connection.bodyRemaining -= part.size();
	connection.state = HttpConnection::State::Dispatched;
	connection.deadline = now + _settings.writeTimeoutMs;
	updateInterest(connection);
	++_inFlight;
	HttpDispatcher& dispatcher = _dispatcher;
	std::atomic<int>& inFlight = _inFlight;
	EventLoop* loop = this;
	const std::uint64_t id = connection.id;
	const std::shared_ptr<HttpExchange> exchange = connection.dispatched;
	const std::shared_ptr<BodyReceiver> receiver = connection.receiver;
	const bool queued = _workers.submit([exchange, receiver, part, &dispatcher, &inFlight, loop, id]
	{
		Completion taken;
		taken.connection = id;
		taken.kind = Completion::Kind::BodyTaken;
		taken.failed = !dispatcher.receivePart(*exchange, *receiver, part, taken.answer);
		loop->post(taken);
		--inFlight;
	});
	if (!queued)
	{
		--_inFlight;
		refuseBody(connection, HttpError::unavailable("the server is busy, try again"));
	}
}

void EventLoop::bodyTaken(HttpConnection& connection, Completion& taken)
{
	if (connection.peerGone)
	{
		kill(connection);
		return;
	}
	if (taken.failed)
	{
		connection.receiver.reset();
		std::string().swap(connection.in);  // the rest of the refused body
		answer(connection, std::move(taken.answer));
		return;
	}
	feedBody(connection);
}

void EventLoop::finishBody(HttpConnection& connection)
{
	const std::shared_ptr<BodyReceiver> receiver = std::move(connection.receiver);
	const std::shared_ptr<HttpExchange> exchange = connection.dispatched;
	exchange->bodyPending = false;
	connection.state = HttpConnection::State::Dispatched;
	connection.deadline = nowMs() + _settings.writeTimeoutMs;
	updateInterest(connection);
	++_inFlight;
	HttpDispatcher& dispatcher = _dispatcher;
	std::atomic<int>& inFlight = _inFlight;
	EventLoop* loop = this;
	const std::uint64_t id = connection.id;
	const bool queued = _workers.submit([exchange, receiver, &dispatcher, &inFlight, loop, id]
	{
		dispatcher.finishBody(exchange, receiver, [&inFlight, loop, id](HttpAnswer answer)
		{
			loop->complete(id, std::move(answer));
			--inFlight;
		});
	});
	if (!queued)
	{
		--_inFlight;
		answer(connection, _dispatcher.refuse(&exchange->request, connection.peer,
			HttpError::unavailable("the server is busy, try again"), false));
	}
}

void EventLoop::refuseBody(HttpConnection& connection, const HttpError& error)
{
	connection.receiver.reset();
	std::string().swap(connection.in);
	answer(connection, _dispatcher.refuse(&connection.dispatched->request, connection.peer, error, false));
}

void EventLoop::refuse(HttpConnection& connection, const HttpError& error)
{
	const Poco::Net::HTTPRequest* request = connection.exchange ? &connection.exchange->request : nullptr;
	HttpAnswer refusal = _dispatcher.refuse(request, connection.peer, error, false);
	connection.exchange.reset();
	std::string().swap(connection.in);
	answer(connection, std::move(refusal));
}

void EventLoop::write(HttpConnection& connection, const std::string& bytes)
{
	if (connection.outOffset >= connection.out.size())
	{
		connection.out = bytes;
		connection.outOffset = 0;
	}
	else
	{
		connection.out.append(bytes);
	}
	flush(connection);
}

void EventLoop::flush(HttpConnection& connection)
{
	if (connection.webSocket)
	{
		flushFrames(connection);
		return;
	}
	while (connection.outOffset < connection.out.size())
	{
		const ssize_t n = ::send(connection.fd, connection.out.data() + connection.outOffset,
			connection.out.size() - connection.outOffset, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0)
		{
			if (errno == EINTR) continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) break;
			kill(connection);
			return;
		}
		connection.outOffset += static_cast<std::size_t>(n);
	}
	if (connection.outOffset >= connection.out.size())
	{
		std::string().swap(connection.out);  // give the memory back
		connection.outOffset = 0;
		if (connection.state == HttpConnection::State::Writing)
		{
			if (connection.stream) nextPart(connection);
			else afterAnswer(connection);
			return;
		}
	}
	updateInterest(connection);
}

void EventLoop::afterAnswer(HttpConnection& connection)
{
	if (connection.closeAfterWrite)
	{
		// Lingering close: the client reads our answer before it sees the
		// end, and what it still sends is drained, so no reset destroys it.
		::shutdown(connection.fd, SHUT_WR);
		std::string().swap(connection.in);
		connection.state = HttpConnection::State::Lingering;
		connection.deadline = nowMs() + std::min(LINGER_MS, _settings.keepAliveMs);
		updateInterest(connection);
		return;
	}
	connection.state = HttpConnection::State::Reading;
	connection.requestStarted = !connection.in.empty();
	connection.deadline = nowMs() + (connection.requestStarted && _settings.readTimeoutMs > 0 ? _settings.readTimeoutMs : _settings.keepAliveMs);
	updateInterest(connection);
	// A pipelined request may already be here.
	processInput(connection);
}

void EventLoop::updateInterest(HttpConnection& connection)
{
	if (connection.state == HttpConnection::State::Dead || connection.peerGone) return;
	std::uint32_t wanted = 0;
	if (connection.state != HttpConnection::State::Dispatched && connection.state != HttpConnection::State::Writing)
		wanted |= EPOLLIN;
	if (connection.outOffset < connection.out.size() ||
		(connection.webSocket && !connection.webSocket->output.empty()))
		wanted |= EPOLLOUT;
	setEpollInterest(_epoll, connection.fd, connection.id, wanted, connection.events);
}

void EventLoop::kill(HttpConnection& connection)
{
	if (connection.state == HttpConnection::State::Dead) return;
	if (!connection.peerGone) ::epoll_ctl(_epoll, EPOLL_CTL_DEL, connection.fd, nullptr);
	::close(connection.fd);
	connection.fd = -1;
	connection.state = HttpConnection::State::Dead;
	_dead.push_back(connection.id);
	if (connection.webSocket)
	{
		const std::shared_ptr<WebSocketImpl> socket = connection.webSocket->socket;
		socket->closed();
		const std::uint16_t code = connection.webSocket->closeCode;
		callHandler(connection, "onClose", [&socket, code] { socket->endpoint().onClose(socket, code); });
		socket->endpoint().release(*socket);
	}
}

void EventLoop::reap()
{
	for (std::uint64_t id: _dead) _connections.erase(id);
	_dead.clear();
}

void EventLoop::sweep(Poco::Int64 now)
{
	// A few times a second over every connection rather than a timer per
	// deadline: deadlines move with every request, and at 10,000 connections
	// a sweep costs less than the timers' bookkeeping would.
	for (auto& entry: _connections)
	{
		HttpConnection& connection = *entry.second;
		if (connection.state == HttpConnection::State::Dead || connection.deadline > now) continue;
		if (connection.state == HttpConnection::State::Dispatched) expireDeferred(connection, now);
		else if (connection.state == HttpConnection::State::ReceivingBody)
			refuseBody(connection, HttpError(408, "request_timeout", "the request body did not arrive in time"));
		else if (connection.state == HttpConnection::State::WebSocket) ping(connection, now);
		else kill(connection);
	}
}

void EventLoop::expireDeferred(HttpConnection& connection, Poco::Int64 now)
{
	// A handler still running on its worker is not timed out (the worker
	// cannot be taken back): look again later.
	connection.deadline = now + _settings.writeTimeoutMs;
	if (!connection.dispatched) return;  // a streamed answer's part on its worker
	const std::shared_ptr<DeferredResponse> deferred = std::atomic_load(&connection.dispatched->deferred);
	if (!deferred) return;
	// Its 503 comes back through the mailbox, as any answer.
	const Poco::Net::HTTPRequest& request = connection.dispatched->request;
	const bool expired = _stopping
		? deferred->fail(HttpError::unavailable("the server is stopping"))
		: deferred->fail(HttpError::unavailable("no answer in time"));
	if (expired)
		_logger.warning("%s %s: the deferred answer was not completed %s: answered 503", request.getMethod(),
			request.getURI().substr(0, request.getURI().find('?')),
			std::string(_stopping ? "before the server stopped" : "within [http] request_timeout"));
}

void EventLoop::openWebSocket(HttpConnection& connection, const std::shared_ptr<WebSocketImpl>& socket, std::string answer)
{
	connection.webSocket = std::make_unique<WebSocketState>(socket);
	connection.state = HttpConnection::State::WebSocket;
	const int sendBuffer = connection.webSocket->endpoint.options().sendBuffer;
	if (sendBuffer > 0) ::setsockopt(connection.fd, SOL_SOCKET, SO_SNDBUF, &sendBuffer, sizeof(sendBuffer));
	connection.deadline = nowMs() + connection.webSocket->endpoint.options().pingIntervalMs;
	enqueue(connection, WebSocketFrame::fromBytes(std::move(answer)), true);
	socket->opened();
	callHandler(connection, "onOpen", [&socket] { socket->endpoint().onOpen(socket); });
	// The client's first frames may have come with the upgrade request.
	if (!connection.in.empty() && connection.state == HttpConnection::State::WebSocket)
	{
		std::string early;
		early.swap(connection.in);
		feed(connection, early.data(), early.size());
	}
	updateInterest(connection);
}

void EventLoop::feed(HttpConnection& connection, const char* data, std::size_t size)
{
	connection.webSocket->decoder.feed(connection.in, data, size,
		[this, &connection](FrameEvent& event) { return onFrame(connection, event); });
}

bool EventLoop::onFrame(HttpConnection& connection, FrameEvent& event)
{
	WebSocketState& webSocket = *connection.webSocket;
	webSocket.pingsOutstanding = 0;
	if (connection.state == HttpConnection::State::WebSocketClosing)
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
		enqueue(connection, WebSocketFrame::fromBytes(WebSocketFrame::encode(Opcode::Pong, event.payload)), true);
		return true;
	case FrameEvent::Type::Pong:
		return true;
	case FrameEvent::Type::Close:
	{
		// Echo the code and reason, then end once it is written.
		const std::uint16_t code = event.code == CloseCode::NoStatus ? 0 : event.code;
		startClose(connection, code, code == 0 ? std::string() : event.payload);
		webSocket.closeCode = event.code;
		webSocket.closeAfterFlush = true;
		return false;
	}
	case FrameEvent::Type::Binary:
		startClose(connection, CloseCode::Unsupported, "binary frames are not accepted");
		return false;
	case FrameEvent::Type::Text:
	{
		const std::shared_ptr<WebSocketImpl> socket = webSocket.socket;
		callHandler(connection, "onText", [&socket, &event] { socket->endpoint().onText(socket, std::move(event.payload)); });
		return connection.state == HttpConnection::State::WebSocket;
	}
	}
	return true;
}

void EventLoop::callHandler(HttpConnection& connection, const char* callback, const std::function<void()>& call)
{
	// A handler's mistake ends its connection only.
	try
	{
		call();
	}
	catch (std::exception& e)
	{
		_logger.error("WebSocket from %s: the handler's %s threw: %s", connection.peer.toString(), std::string(callback),
			std::string(e.what()));
		startClose(connection, CloseCode::InternalError, "internal error");
	}
}

void EventLoop::enqueue(HttpConnection& connection, const WebSocketFrame::Ptr& frame, bool control)
{
	WebSocketState& webSocket = *connection.webSocket;
	if (frame->size() == 0) return;
	if (!control && webSocket.output.pending() + frame->size() > webSocket.endpoint.options().maxPending)
	{
		slowReader(connection);
		return;
	}
	webSocket.output.push(frame);
	// Written at the end of this loop iteration, so that a burst of frames
	// (a fan-out, a replay) goes out in one writev.
	if (!webSocket.dirty)
	{
		webSocket.dirty = true;
		_dirty.push_back(&connection);
	}
}

void EventLoop::enqueueData(std::uint64_t connection, const WebSocketFrame::Ptr& frame)
{
	HttpConnection* target = find(connection);
	if (target && target->state == HttpConnection::State::WebSocket) enqueue(*target, frame, false);
}

void EventLoop::flushDirty()
{
	// A flush may kill a connection, whose handler may queue frames on
	// others: iterate a copy. The connections stay in _connections (dead
	// ones too) until reap(), after this.
	std::vector<HttpConnection*> dirty;
	dirty.swap(_dirty);
	for (HttpConnection* connection: dirty)
	{
		if (connection->state == HttpConnection::State::Dead || !connection->webSocket) continue;
		connection->webSocket->dirty = false;
		flushFrames(*connection);
	}
	// Its capacity is kept for the next iteration's burst (a fan-out).
	dirty.clear();
	if (_dirty.empty()) _dirty.swap(dirty);
}

void EventLoop::flushFrames(HttpConnection& connection)
{
	WebSocketState& webSocket = *connection.webSocket;
	switch (webSocket.output.write(connection.fd))
	{
	case WebSocketOutput::Result::Failed:
		kill(connection);
		return;
	case WebSocketOutput::Result::Drained:
		if (webSocket.closeAfterFlush)
		{
			kill(connection);
			return;
		}
		break;
	case WebSocketOutput::Result::Blocked:
		break;
	}
	updateInterest(connection);
}

void EventLoop::slowReader(HttpConnection& connection)
{
	WebSocketState& webSocket = *connection.webSocket;
	webSocket.output.dropUnstarted();
	_logger.information("WebSocket from %s: closing a slow reader (user %Ld)", connection.peer.toString(),
		static_cast<long long>(webSocket.socket->userId()));
	startClose(connection, CloseCode::TryAgainLater, "slow reader");
}

void EventLoop::startClose(HttpConnection& connection, std::uint16_t code, const std::string& reason)
{
	if (connection.state != HttpConnection::State::WebSocket) return;
	WebSocketState& webSocket = *connection.webSocket;
	webSocket.closeCode = code == 0 ? CloseCode::NoStatus : code;
	connection.state = HttpConnection::State::WebSocketClosing;
	connection.deadline = nowMs() + webSocket.endpoint.options().closeTimeoutMs;
	enqueue(connection, WebSocketFrame::close(code, reason), true);
}

void EventLoop::ping(HttpConnection& connection, Poco::Int64 now)
{
	WebSocketState& webSocket = *connection.webSocket;
	if (webSocket.pingsOutstanding >= 2)
	{
		startClose(connection, CloseCode::GoingAway, "ping timeout");
		return;
	}
	static const WebSocketFrame::Ptr PING = WebSocketFrame::fromBytes(WebSocketFrame::encode(Opcode::Ping, "", 0));
	++webSocket.pingsOutstanding;
	enqueue(connection, PING, true);
	connection.deadline = now + webSocket.endpoint.options().pingIntervalMs;
}

} } // namespace Palaver::Server
