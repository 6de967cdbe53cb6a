//
// HttpDispatcher.h
//

#ifndef Palaver_Server_HttpDispatcher_INCLUDED
#define Palaver_Server_HttpDispatcher_INCLUDED

#include "HttpAnswer.h"
#include "HttpExchange.h"
#include "palaver/HttpError.h"
#include <Poco/Logger.h>
#include <Poco/Timestamp.h>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace Palaver {

class OriginPolicy;
class Response;

namespace Server {

class MetricsImpl;
class RequestScreen;
class RouterImpl;
class WebSocketEndpointImpl;

/// What happens to a complete request: the route's handler runs (on a
/// worker, or on the connection's loop for a route that says it does not
/// block) and its Response, or the JSON error of what it threw (405 with
/// Allow, 503 when storage is unavailable, 500 for anything unexpected), is
/// serialised; each request is counted in the metrics and gets an access log
/// line (with the status and time of a deferred answer once it is
/// completed). Every request passes the RequestScreen first (Host names, logging
/// of malformed requests). An upgrade request for a WebSocket endpoint is
/// checked (WebSocketHandshake) and handed to the endpoint's handler instead
/// of a route. Thread-safe, once the endpoints are mounted.
class HttpDispatcher
{
public:
	HttpDispatcher(RouterImpl& router, MetricsImpl& metrics, RequestScreen& screen, const OriginPolicy& origins,
		std::size_t maxBodySize);

	/// Before the loops run: upgrades of GET path go to endpoint. Throws
	/// Poco::ExistsException when a route or endpoint has the path.
	void mount(const std::string& path, std::shared_ptr<WebSocketEndpointImpl> endpoint);

	/// On a loop, once the head is read: the endpoint mounted at the
	/// request's path, or null.
	WebSocketEndpointImpl* webSocketAt(const Poco::Net::HTTPRequest& request) const;

	/// On a loop, once the head is read: the route, which bounds the body.
	/// Throws HttpError (400) for a malformed escape in a route parameter.
	RouterImpl::Match match(const Poco::Net::HTTPRequest& request) const;

	/// The body limit of a matched (or unmatched) request.
	std::size_t bodyLimit(const RouterImpl::Match& match) const;

	/// Receives the answer to a dispatched request, exactly once.
	using Done = std::function<void(HttpAnswer)>;

	/// On a worker: runs the handler, then calls done with its answer: on
	/// this thread, or, if the handler deferred it (Response::defer()), on
	/// the thread that completes the DeferredResponse (exchange->deferred is
	/// set before the handler's worker returns).
	void dispatch(const std::shared_ptr<HttpExchange>& exchange, const Done& done);

	/// Whether the request's handler runs on its connection's I/O thread
	/// (Router::addOnIoThread()).
	static bool runsOnIoThread(const HttpExchange& exchange);

	/// On the connection's loop, for a request that runsOnIoThread(): runs
	/// the handler there and calls done as dispatch() does (on this thread
	/// when it answered at once). False when the handler asked for a worker
	/// (Request::requireWorker()): nothing was answered and the exchange is
	/// as it was; dispatch() it on a worker.
	bool dispatchOnIoThread(const std::shared_ptr<HttpExchange>& exchange, const Done& done);

	/// On a worker: part of a streamed body for receiver. Returns false with
	/// the answer in refusal (the connection closed after it) when the
	/// receiver refused it.
	bool receivePart(const HttpExchange& exchange, BodyReceiver& receiver, const std::string& part, HttpAnswer& refusal);

	/// On a worker, once a streamed body was wholly received: the receiver's
	/// answer, given to done as dispatch() does (it may defer it).
	void finishBody(const std::shared_ptr<HttpExchange>& exchange, const std::shared_ptr<BodyReceiver>& receiver,
		const Done& done);

	/// On a loop: answers error without a handler (a refused head or body, a
	/// full worker queue). request is null when the head could not be read.
	/// The connection is closed after it unless keepAlive.
	HttpAnswer refuse(const Poco::Net::HTTPRequest* request, const Poco::Net::SocketAddress& client,
		const HttpError& error, bool keepAlive);

private:
	bool run(const std::shared_ptr<HttpExchange>& exchange, const Done& done, bool onIoThread);
	void answerError(Response& response, const HttpError& error);
	void deliver(const std::shared_ptr<HttpExchange>& exchange, Response& response, const std::string& route,
		const Poco::Timestamp& started, const Done& done);
	void guarded(const HttpExchange& exchange, const std::string& route, Response& response,
		const std::function<void()>& call);
	static std::string routeOf(const HttpExchange& exchange);
	void upgrade(HttpExchange& exchange, const Poco::Timestamp& started, const Done& done);
	HttpAnswer finish(const HttpExchange& exchange, Response& response, const std::string& route,
		const Poco::Timestamp& started);
	static std::string serialise(const Poco::Net::HTTPRequest* request, Response& response, bool keepAlive);
	void record(const Poco::Net::HTTPRequest& request, const std::string& route, const Poco::Net::SocketAddress& client,
		int status, double seconds);
	static std::string rawPath(const Poco::Net::HTTPRequest& request);

	RouterImpl& _router;
	MetricsImpl& _metrics;
	RequestScreen& _screen;
	const OriginPolicy& _origins;
	std::map<std::string, std::shared_ptr<WebSocketEndpointImpl>> _webSockets;  /// by path; fixed once serving
	const std::size_t _maxBodySize;
	Poco::Logger& _logger;
	Poco::Logger& _accessLog;
};

} } // namespace Palaver::Server

#endif
