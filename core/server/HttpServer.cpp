#include "HttpServer.h"
#include "DatabaseImpl.h"
#include "MetricsImpl.h"
#include "RequestScreen.h"
#include "RouterImpl.h"
#include "palaver/HttpError.h"
#include "palaver/Request.h"
#include "palaver/Response.h"
#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerConnection.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <Poco/Stopwatch.h>
#include <Poco/Thread.h>
#include <Poco/Timestamp.h>
#include <condition_variable>
#include <functional>
#include <limits>
#include <mutex>
#include <set>
#include <thread>

namespace Palaver {
namespace Server {

namespace {

const int LISTEN_BACKLOG = 1024;
const int IDLE_THREAD_SECONDS = 5;

void sendError(Response& response, const HttpError& error)
{
	for (const auto& header: error.headers()) response.http().set(header.first, header.second);
	Poco::JSON::Object::Ptr detail = new Poco::JSON::Object;
	detail->set("code", error.code());
	detail->set("message", error.message());
	if (!error.field().empty()) detail->set("field", error.field());
	Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
	body->set("error", detail);
	response.sendJson(error.status(), body);
}

// Reads the body, refusing (413) one larger than limit before reading it.
std::string readBody(Poco::Net::HTTPServerRequest& request, std::size_t limit)
{
	// POCO ends a chunked body silently at a malformed chunk or an early end of
	// the connection, so a truncated body could not be told from a whole one;
	// and it ignores other transfer codings, reading their body as the next
	// request. Browsers and proxies send Content-Length: require it.
	if (request.has("Transfer-Encoding"))
		throw HttpError(411, "length_required", "request bodies must carry a Content-Length; Transfer-Encoding is not accepted");
	const HttpError tooLarge(413, "payload_too_large", "the request body exceeds " + std::to_string(limit) + " bytes");
	if (request.hasContentLength() && request.getContentLength64() > static_cast<Poco::Int64>(limit))
		throw tooLarge;
	if (request.hasContentLength() && request.getContentLength64() < 0)
		throw HttpError::badRequest("invalid Content-Length");
	std::string body;
	if (!request.hasContentLength())
		return body;
	std::istream& stream = request.stream();
	char buffer[8192];
	while (stream.read(buffer, sizeof(buffer)) || stream.gcount() > 0)
	{
		body.append(buffer, static_cast<std::size_t>(stream.gcount()));
		if (body.size() > limit) throw tooLarge;
	}
	// A client that hung up (or was cut by the read time-out) before sending
	// all it announced: never handle a truncated body as if it were whole.
	if (stream.bad()) throw HttpError::badRequest("malformed request body");
	if (static_cast<Poco::Int64>(body.size()) < request.getContentLength64())
		throw HttpError::badRequest("the request body ended early");
	return body;
}

} // namespace

// Cuts connections whose request head (and body) do not arrive within the
// read time-out: Poco's own time-out bounds each socket read, so a client
// trickling a byte at a time (slow-loris) would hold a thread for ever.
// Its thread also runs a housekeeping task once a second.
class HttpServer::ReadGuard
{
public:
	static constexpr Poco::Int64 NONE = std::numeric_limits<Poco::Int64>::max();

	/// One connection: its socket and the time (epoch microseconds) by which
	/// the request being read must have arrived.
	struct Entry
	{
		Poco::Net::StreamSocket socket;
		std::atomic<Poco::Int64> deadline{NONE};
	};

	/// The entry of the connection this thread serves (nullptr elsewhere).
	static thread_local Entry* current;

	/// seconds <= 0: no read deadline at all (housekeeping still runs).
	ReadGuard(int seconds, int keepAliveSeconds, std::function<void()> housekeeping):
		_limit(Poco::Int64(seconds) * 1000000),
		_keepAlive(Poco::Int64(keepAliveSeconds) * 1000000),
		_housekeeping(std::move(housekeeping)),
		_thread([this] { run(); })
	{
	}

	~ReadGuard()
	{
		{
			std::lock_guard<std::mutex> lock(_mutex);
			_stop = true;
		}
		_wake.notify_all();
		if (_thread.joinable()) _thread.join();
	}

	void add(Entry& entry)
	{
		if (_limit <= 0) return;
		entry.deadline = now() + _limit;
		std::lock_guard<std::mutex> lock(_mutex);
		_entries.insert(&entry);
	}

	void remove(Entry& entry)
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_entries.erase(&entry);
	}

	/// The request is read: no deadline while it is handled.
	static void requestRead()
	{
		if (current) current->deadline = NONE;
	}

	/// The answer is sent: the next request on this keep-alive connection
	/// has keep_alive_timeout to start and the read time-out to arrive.
	void answered(bool detached)
	{
		if (current && !detached && _limit > 0) current->deadline = now() + _keepAlive + _limit;
	}

private:
	static Poco::Int64 now() { return Poco::Timestamp().epochMicroseconds(); }

	void run()
	{
		std::unique_lock<std::mutex> lock(_mutex);
		Poco::Int64 nextHousekeeping = now() + 1000000;
		while (!_stop)
		{
			_wake.wait_for(lock, std::chrono::milliseconds(100));
			const Poco::Int64 time = now();
			if (time >= nextHousekeeping)
			{
				nextHousekeeping = time + 1000000;
				lock.unlock();
				_housekeeping();
				lock.lock();
			}
			for (Entry* entry: _entries)
			{
				if (entry->deadline > time) continue;
				entry->deadline = NONE;
				try
				{
					// The blocked read returns end-of-stream; the connection ends.
					entry->socket.shutdown();
				}
				catch (Poco::Exception&)
				{
				}
			}
		}
	}

	const Poco::Int64 _limit;
	const Poco::Int64 _keepAlive;
	const std::function<void()> _housekeeping;
	std::mutex _mutex;
	std::condition_variable _wake;
	std::set<Entry*> _entries;
	bool _stop = false;
	std::thread _thread;  // last: started once everything above is set
};

thread_local HttpServer::ReadGuard::Entry* HttpServer::ReadGuard::current = nullptr;

class HttpServer::Dispatcher: public Poco::Net::HTTPRequestHandler
{
public:
	Dispatcher(RouterImpl& router, MetricsImpl& metrics, std::size_t maxBodySize, std::atomic<int>& active, ReadGuard& guard,
		RequestScreen& screen):
		_router(router),
		_metrics(metrics),
		_screen(screen),
		_maxBodySize(maxBodySize),
		_active(active),
		_guard(guard),
		_logger(Poco::Logger::get("palaver.http")),
		_accessLog(Poco::Logger::get("palaver.access"))
	{
	}

	void handleRequest(Poco::Net::HTTPServerRequest& httpRequest, Poco::Net::HTTPServerResponse& httpResponse) override
	{
		++_active;
		Poco::Stopwatch watch;
		watch.start();
		Response response(httpResponse);
		const std::string& uri = httpRequest.getURI();
		const std::string rawPath = uri.substr(0, uri.find('?'));
		std::string route;
		bool detached = false;
		try
		{
			_screen.admit(httpRequest);
			auto match = _router.match(httpRequest.getMethod(), rawPath);
			const std::size_t limit = match.route && match.route->options.maxBodySize ? match.route->options.maxBodySize : _maxBodySize;
			std::string body = readBody(httpRequest, limit);
			ReadGuard::requestRead();
			if (!match.route)
			{
				if (match.allowed.empty()) throw HttpError::notFound("no such route");
				std::string allow;
				for (const auto& method: match.allowed) allow += (allow.empty() ? "" : ", ") + method;
				throw HttpError(405, "method_not_allowed", "use " + allow).withHeader("Allow", allow);
			}
			route = match.route->pattern;
			Request request(httpRequest, std::move(match.params), std::move(body));
			match.route->handler(request, response);
			detached = request.detached();
			if (!detached && !response.sent()) response.sendNoContent();
		}
		catch (HttpError& e)
		{
			_screen.refused(httpRequest, e);
			answer(response, e);
		}
		catch (Poco::Exception& e)
		{
			if (DatabaseImpl::isUnavailability(e))
			{
				_logger.error("%s %s: storage unavailable: %s", httpRequest.getMethod(), route, e.displayText());
				answer(response, HttpError::unavailable());
			}
			else
			{
				_logger.error("%s %s: %s", httpRequest.getMethod(), route, e.displayText());
				answer(response, HttpError(500, "internal_error", "internal server error"));
			}
		}
		catch (std::exception& e)
		{
			_logger.error("%s %s: %s", httpRequest.getMethod(), route, std::string(e.what()));
			answer(response, HttpError(500, "internal_error", "internal server error"));
		}
		_guard.answered(detached);
		const int status = detached ? 101 : response.status();
		const double seconds = watch.elapsed() / 1e6;
		_metrics.recordRequest(httpRequest.getMethod(), route, status, seconds);
		// The path only: query strings can carry tokens.
		if (_accessLog.information())
			_accessLog.information("%s \"%s %s\" %d %.1fms", httpRequest.clientAddress().host().toString(),
				httpRequest.getMethod(), rawPath, status, seconds * 1000);
		--_active;
	}

private:
	void answer(Response& response, const HttpError& error)
	{
		if (response.sent())
		{
			_logger.warning("error after the answer was sent: %s", error.message());
			return;
		}
		// A body we refused is still on the wire: do not read the next request from it.
		if (error.status() == 413 || error.status() == 411) response.http().setKeepAlive(false);
		sendError(response, error);
	}

	RouterImpl& _router;
	MetricsImpl& _metrics;
	RequestScreen& _screen;
	std::size_t _maxBodySize;
	std::atomic<int>& _active;
	ReadGuard& _guard;
	Poco::Logger& _logger;
	Poco::Logger& _accessLog;
};

class HttpServer::DispatcherFactory: public Poco::Net::HTTPRequestHandlerFactory
{
public:
	DispatcherFactory(RouterImpl& router, MetricsImpl& metrics, std::size_t maxBodySize, std::atomic<int>& active, ReadGuard& guard,
		RequestScreen& screen):
		_router(router), _metrics(metrics), _maxBodySize(maxBodySize), _active(active), _guard(guard), _screen(screen)
	{
	}

	Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override
	{
		return new Dispatcher(_router, _metrics, _maxBodySize, _active, _guard, _screen);
	}

	/// What Poco's HTTPServer::stopAll() does: tells the open connections.
	void stopConnections(bool abortCurrent)
	{
		serverStopped(this, abortCurrent);
	}

private:
	RouterImpl& _router;
	MetricsImpl& _metrics;
	std::size_t _maxBodySize;
	std::atomic<int>& _active;
	ReadGuard& _guard;
	RequestScreen& _screen;
};

// Poco's HTTPServerConnection, watched by the read guard while it lives.
class HttpServer::GuardedConnection: public Poco::Net::HTTPServerConnection
{
public:
	GuardedConnection(const Poco::Net::StreamSocket& socket, Poco::Net::HTTPServerParams::Ptr params,
		Poco::Net::HTTPRequestHandlerFactory::Ptr factory, ReadGuard& guard):
		Poco::Net::HTTPServerConnection(socket, params, factory),
		_guard(guard)
	{
	}

	void run() override
	{
		ReadGuard::Entry entry;
		entry.socket = socket();
		struct Watch
		{
			ReadGuard& guard;
			ReadGuard::Entry& entry;
			Watch(ReadGuard& g, ReadGuard::Entry& e): guard(g), entry(e) { guard.add(entry); ReadGuard::current = &entry; }
			~Watch() { ReadGuard::current = nullptr; guard.remove(entry); }
		} watch(_guard, entry);
		Poco::Net::HTTPServerConnection::run();
	}

private:
	ReadGuard& _guard;
};

// What Poco's HTTPServerConnectionFactory does, with guarded connections.
class HttpServer::ConnectionFactory: public Poco::Net::TCPServerConnectionFactory
{
public:
	ConnectionFactory(Poco::Net::HTTPServerParams::Ptr params, Poco::SharedPtr<DispatcherFactory> factory, ReadGuard& guard):
		_params(params), _factory(factory), _guard(guard)
	{
	}

	Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override
	{
		return new GuardedConnection(socket, _params, _factory, _guard);
	}

private:
	Poco::Net::HTTPServerParams::Ptr _params;
	Poco::SharedPtr<DispatcherFactory> _factory;
	ReadGuard& _guard;
};

// Poco's HTTPServer, made of the pieces above.
class HttpServer::Listener: public Poco::Net::TCPServer
{
public:
	Listener(Poco::SharedPtr<DispatcherFactory> factory, Poco::ThreadPool& threads, const Poco::Net::ServerSocket& socket,
		Poco::Net::HTTPServerParams::Ptr params, ReadGuard& guard):
		Poco::Net::TCPServer(new ConnectionFactory(params, factory, guard), threads, socket, params),
		_factory(factory)
	{
	}

	~Listener() override
	{
		stopAll(false);
	}

	void stopAll(bool abortCurrent)
	{
		stop();
		_factory->stopConnections(abortCurrent);
	}

private:
	Poco::SharedPtr<DispatcherFactory> _factory;
};

HttpServer::HttpServer(const Poco::Util::AbstractConfiguration& config, RouterImpl& router, MetricsImpl& metrics, const OriginPolicy& origins):
	_screen(new RequestScreen(origins, Poco::Logger::get("palaver.http"))),
	// Threads idle for IDLE_THREAD_SECONDS go back to the system (collected
	// once a second), so a burst of requests does not leave them behind.
	_threads("http", 2, config.getInt("http.max_threads", 64), IDLE_THREAD_SECONDS),
	_guard(new ReadGuard(config.getInt("http.request_read_timeout", 20), config.getInt("http.keep_alive_timeout", 15),
		[this] { _threads.collect(); }))
{
	const int maxThreads = config.getInt("http.max_threads", 64);
	Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
	params->setMaxThreads(maxThreads);
	params->setMaxQueued(config.getInt("http.max_queued", 256));
	params->setKeepAlive(true);
	params->setKeepAliveTimeout(Poco::Timespan(config.getInt("http.keep_alive_timeout", 15), 0));
	// A keep-alive connection holds its pool thread while it keeps sending:
	// giving the thread back every so many requests lets connections queued
	// beyond max_threads have their turn (docs/PERFORMANCE.md).
	params->setMaxKeepAliveRequests(config.getInt("http.max_keep_alive_requests", 100));
	params->setTimeout(Poco::Timespan(config.getInt("http.request_timeout", 30), 0));
	params->setSoftwareVersion("Palaver");

	const Poco::Net::SocketAddress address(config.getString("http.address", "127.0.0.1"),
		static_cast<Poco::UInt16>(config.getUInt("http.port", 8080)));
	Poco::Net::ServerSocket socket;
	// SO_REUSEADDR for quick restarts, but never SO_REUSEPORT (Poco 1.11's
	// one-flag bind() sets both): a second palaverd on a busy port must fail.
	socket.bind(address, true, false);
	socket.listen(LISTEN_BACKLOG);

	const std::size_t maxBodySize = config.getUInt64("http.max_body_size", 65536);
	Poco::SharedPtr<DispatcherFactory> factory(new DispatcherFactory(router, metrics, maxBodySize, _active, *_guard, *_screen));
	_server.reset(new Listener(factory, _threads, socket, params, *_guard));
}

HttpServer::~HttpServer()
{
	if (_server) _server->stopAll(true);
	_threads.joinAll();
}

void HttpServer::start()
{
	_server->start();
}

void HttpServer::stop(int drainSeconds)
{
	_server->stop();
	const Poco::Timestamp started;
	while (_active > 0 && started.elapsed() < Poco::Timestamp::TimeDiff(drainSeconds) * 1000000)
		Poco::Thread::sleep(10);
	_server->stopAll(true);
}

Poco::UInt16 HttpServer::port() const
{
	return _server->port();
}

} } // namespace Palaver::Server
