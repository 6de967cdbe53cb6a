//
// EventLoop.h
//

#ifndef Palaver_Server_EventLoop_INCLUDED
#define Palaver_Server_EventLoop_INCLUDED

#include "Acceptor.h"
#include "HttpAnswer.h"
#include "HttpConnection.h"
#include "HttpParser.h"
#include "Mailbox.h"
#include "TransportSettings.h"
#include "palaver/HttpError.h"
#include "palaver/WebSocket.h"
#include <Poco/Logger.h>
#include <Poco/Types.h>
#include <atomic>
#include <functional>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace Palaver {

class WorkerPool;

namespace Server {

class HttpDispatcher;
class WebSocketEndpointImpl;

/// One I/O thread: an epoll loop over its share of the connections. It
/// accepts from the listeners (shared by every loop, EPOLLEXCLUSIVE), reads
/// and frames requests (HttpParser), hands each complete one to the worker
/// pool (or runs the handler itself, for a route that says it does not
/// block: Router::addOnIoThread()), and writes the answers that workers
/// post back through its mailbox (an eventfd wakes it). Each connection has one deadline at a time (the
/// request being read, the idle keep-alive wait, the answer being written),
/// checked by a sweep a few times a second; a deferred answer
/// (Response::defer()) not completed within [http] request_timeout is
/// answered 503. Requests of one connection are answered in order, one at a
/// time. A streamed body (Response::stream()) is made a part at a time: once
/// the connection has written a part, the next is asked of a worker (the
/// connection waits as if dispatched, reading nothing) and comes back
/// through the mailbox; each part has [http] request_timeout to be written.
/// A streamed request body (Router::Options::streamBody) goes the other
/// way: the route's handler runs once the head is read; if it hands the body
/// to a BodyReceiver, what has arrived (one read, at most 64 KiB) goes to a
/// worker as a part, and nothing more is read until the receiver has taken
/// it (back-pressure); the whole body has the route's body time-out (408).
///
/// A request for a WebSocket endpoint (a path mounted on the HTTP port, or
/// any on the endpoint's own listener) is dispatched the same way; once its
/// handler accepted it, the connection carries frames (WebSocketState): read
/// and decoded here, text messages handed to the handler on this thread,
/// frames that any thread sends queued and written here, pinged every
/// interval, and closed with 1013 when its unsent output outgrows the
/// endpoint's bound.
class EventLoop
{
public:
	EventLoop(unsigned index, const TransportSettings& settings, HttpDispatcher& dispatcher, WorkerPool& workers,
		std::atomic<int>& inFlight);
	~EventLoop();

	EventLoop(const EventLoop&) = delete;
	EventLoop& operator=(const EventLoop&) = delete;

	/// Accepts on fd (a non-blocking listening socket) as well; before
	/// start(). Connections of an endpoint's listener are its upgrades only.
	void listen(int fd, WebSocketEndpointImpl* endpoint = nullptr);

	void start();

	/// Thread-safe: accepts no more connections (the listeners stay open).
	void stopListening();

	/// Writes the answers already posted (once, without waiting), closes every
	/// connection and joins the thread. Call after the workers have stopped.
	void stop();

	/// Thread-safe (workers): the answer to a connection's dispatched request.
	/// On this loop's thread it is handled after the current events.
	void complete(std::uint64_t connection, HttpAnswer answer);

	/// Thread-safe: a frame for an upgraded connection (WebSocket::send).
	/// On this loop's thread it is queued at once.
	void sendFrame(std::uint64_t connection, const WebSocketFrame::Ptr& frame);

	/// Thread-safe: one frame for many of this loop's upgraded connections
	/// (WebSocketEndpoint::sendToEach), in one mailbox entry instead of one
	/// per connection. On this loop's thread they are queued at once.
	void sendFrames(std::vector<std::uint64_t> connections, const WebSocketFrame::Ptr& frame);

	/// Thread-safe: WebSocket::close. On this loop's thread it starts at once.
	void closeWebSocket(std::uint64_t connection, std::uint16_t code, const std::string& reason);

	/// Thread-safe: WebSocket::post, always through the mailbox.
	void postTask(std::uint64_t connection, WebSocket::Task task);

	/// Thread-safe: WebSocketImpl::postBarrier, always through the mailbox;
	/// task runs whether the connection is still open or not.
	void postBarrier(std::uint64_t connection, std::function<void()> task);

private:
	/// One entry of the mailbox: an answer, or work for an upgraded connection.
	struct Completion
	{
		enum class Kind: std::uint8_t { Answer, Part, BodyTaken, Frame, Frames, Close, Task, Barrier };

		std::uint64_t connection = 0;
		Kind kind = Kind::Answer;
		HttpAnswer answer;     /// for Part: bytes only; for BodyTaken: the refusal when failed
		bool more = false;     /// Part: the source has more after it
		bool failed = false;   /// Part: the source threw (the answer is cut short); BodyTaken: the receiver refused
		WebSocketFrame::Ptr frame;
		std::vector<std::uint64_t> connections;  /// Frames: where frame goes (connection is unused)
		std::uint16_t code = 0;
		std::string reason;
		WebSocket::Task task;
		std::function<void()> barrier;
	};

	struct Listener
	{
		int fd;
		WebSocketEndpointImpl* endpoint;
	};

	void run();
	void processMailbox();
	void processLocal();
	void handleCompletion(Completion& completion);
	void post(Completion& completion);
	bool onLoopThread() const;
	void acceptAll(const Listener& listener);
	HttpConnection* find(std::uint64_t id);
	void handle(HttpConnection& connection, std::uint32_t events);
	void onEvent(HttpConnection& connection, std::uint32_t events);
	void onReadable(HttpConnection& connection);
	void onEndOfInput(HttpConnection& connection);
	void processInput(HttpConnection& connection);
	bool readHead(HttpConnection& connection);
	void dispatch(HttpConnection& connection);
	void answer(HttpConnection& connection, HttpAnswer answer);
	void nextPart(HttpConnection& connection);
	void startReceiving(HttpConnection& connection, std::shared_ptr<BodyReceiver> receiver);
	void feedBody(HttpConnection& connection);
	void bodyTaken(HttpConnection& connection, Completion& taken);
	void finishBody(HttpConnection& connection);
	void refuseBody(HttpConnection& connection, const HttpError& error);
	void writePart(HttpConnection& connection, Completion& part);
	void refuse(HttpConnection& connection, const HttpError& error);
	void write(HttpConnection& connection, const std::string& bytes);
	void flush(HttpConnection& connection);
	void afterAnswer(HttpConnection& connection);
	void updateInterest(HttpConnection& connection);
	void kill(HttpConnection& connection);
	// Upgraded connections
	void openWebSocket(HttpConnection& connection, const std::shared_ptr<WebSocketImpl>& socket, std::string answer);
	void feed(HttpConnection& connection, const char* data, std::size_t size);
	bool onFrame(HttpConnection& connection, FrameEvent& event);
	void enqueue(HttpConnection& connection, const WebSocketFrame::Ptr& frame, bool control);
	/// enqueue() of a data frame, if the connection is an open WebSocket.
	void enqueueData(std::uint64_t connection, const WebSocketFrame::Ptr& frame);
	void flushFrames(HttpConnection& connection);
	void flushDirty();
	void slowReader(HttpConnection& connection);
	void startClose(HttpConnection& connection, std::uint16_t code, const std::string& reason);
	void ping(HttpConnection& connection, Poco::Int64 now);
	void callHandler(HttpConnection& connection, const char* callback, const std::function<void()>& call);
	void reap();
	void sweep(Poco::Int64 now);
	void expireDeferred(HttpConnection& connection, Poco::Int64 now);
	static Poco::Int64 nowMs();

	const unsigned _index;
	const TransportSettings& _settings;
	const HttpParser _parser;
	HttpDispatcher& _dispatcher;
	WorkerPool& _workers;
	std::atomic<int>& _inFlight;
	Poco::Logger& _logger;
	Acceptor _acceptor;
	int _epoll = -1;
	std::vector<Listener> _listeners;
	std::thread _thread;
	std::thread::id _threadId;
	std::atomic<bool> _stopping{false};

	Mailbox<Completion> _mailbox;
	std::vector<Completion> _local;       /// completions posted on this thread, handled after the current events

	std::unordered_map<std::uint64_t, std::unique_ptr<HttpConnection>> _connections;
	std::uint64_t _nextId;
	std::vector<std::uint64_t> _dead;
	std::vector<HttpConnection*> _dirty;  /// upgraded connections with frames queued this iteration (alive until reap())
	std::vector<char> _readBuffer;        /// shared by every connection of this loop
	Poco::Int64 _nextSweep = 0;
};

} } // namespace Palaver::Server

#endif
