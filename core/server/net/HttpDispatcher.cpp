#include "HttpDispatcher.h"
#include "DatabaseImpl.h"
#include "MetricsImpl.h"
#include "RequestScreen.h"
#include "RouterImpl.h"
#include "WebSocketEndpointImpl.h"
#include "WebSocketHandshake.h"
#include "WebSocketImpl.h"
#include "palaver/DeferredResponse.h"
#include "palaver/Request.h"
#include "palaver/Response.h"
#include "palaver/WorkerRequired.h"
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Timestamp.h>
#include <atomic>
#include <ctime>
#include <memory>

namespace Palaver {
namespace Server {

namespace {

// The Date header, formatted once a second per thread.
const std::string& httpDate()
{
	thread_local std::time_t second = 0;
	thread_local std::string text;
	const std::time_t now = std::time(nullptr);
	if (now != second)
	{
		second = now;
		text = Poco::DateTimeFormatter::format(Poco::Timestamp::fromEpochTime(now), Poco::DateTimeFormat::HTTP_FORMAT);
	}
	return text;
}

} // namespace

HttpDispatcher::HttpDispatcher(RouterImpl& router, MetricsImpl& metrics, RequestScreen& screen, const OriginPolicy& origins,
	std::size_t maxBodySize):
	_router(router),
	_metrics(metrics),
	_screen(screen),
	_origins(origins),
	_maxBodySize(maxBodySize),
	_logger(Poco::Logger::get("palaver.http")),
	_accessLog(Poco::Logger::get("palaver.access"))
{
}

std::string HttpDispatcher::rawPath(const Poco::Net::HTTPRequest& request)
{
	const std::string& uri = request.getURI();
	return uri.substr(0, uri.find('?'));
}

RouterImpl::Match HttpDispatcher::match(const Poco::Net::HTTPRequest& request) const
{
	return _router.match(request.getMethod(), rawPath(request));
}

void HttpDispatcher::mount(const std::string& path, std::shared_ptr<WebSocketEndpointImpl> endpoint)
{
	if (_router.match("GET", path).route || _webSockets.count(path))
		throw Poco::ExistsException("GET " + path + " is taken");
	_webSockets.emplace(path, std::move(endpoint));
}

WebSocketEndpointImpl* HttpDispatcher::webSocketAt(const Poco::Net::HTTPRequest& request) const
{
	if (_webSockets.empty()) return nullptr;
	auto it = _webSockets.find(rawPath(request));
	return it == _webSockets.end() ? nullptr : it->second.get();
}

std::size_t HttpDispatcher::bodyLimit(const RouterImpl::Match& match) const
{
	return match.route && match.route->options.maxBodySize ? match.route->options.maxBodySize : _maxBodySize;
}

void HttpDispatcher::dispatch(const std::shared_ptr<HttpExchange>& exchange, const Done& done)
{
	run(exchange, done, false);
}

bool HttpDispatcher::runsOnIoThread(const HttpExchange& exchange)
{
	return !exchange.webSocket && exchange.match.route && exchange.match.route->onIoThread && !exchange.bodyPending;
}

bool HttpDispatcher::dispatchOnIoThread(const std::shared_ptr<HttpExchange>& exchange, const Done& done)
{
	return run(exchange, done, true);
}

bool HttpDispatcher::run(const std::shared_ptr<HttpExchange>& exchange, const Done& done, bool onIoThread)
{
	const Poco::Timestamp started;
	Poco::Net::HTTPRequest& httpRequest = exchange->request;
	Response response;
	const std::string route = routeOf(*exchange);
	std::shared_ptr<BodyReceiver> receiver;
	try
	{
		guarded(*exchange, route, response, [&]
		{
			_screen.admit(httpRequest);
			if (exchange->webSocket)
			{
				upgrade(*exchange, started, done);
				return;
			}
			RouterImpl::Match& match = exchange->match;
			if (!match.route)
			{
				if (match.allowed.empty()) throw HttpError::notFound("no such route");
				std::string allow;
				for (const auto& method: match.allowed) allow += (allow.empty() ? "" : ", ") + method;
				throw HttpError(405, "method_not_allowed", "use " + allow).withHeader("Allow", allow);
			}
			if (onIoThread)
			{
				// Copies: a handler that asks for a worker runs again from the start.
				Request request(httpRequest, exchange->client, match.params, exchange->body);
				request.runOnIoThread();
				match.route->handler(request, response);
				if (!response.sent() && !response.deferred()) response.sendNoContent();
				return;
			}
			Request request(httpRequest, exchange->client, std::move(match.params), std::move(exchange->body));
			if (exchange->bodyPending) request.allowBodyReceiver();
			match.route->handler(request, response);
			receiver = request.bodyReceiver();
			if (!response.sent() && !response.deferred() && !receiver) response.sendNoContent();
		});
	}
	catch (WorkerRequired&)
	{
		return false;
	}
	if (exchange->webSocket && !response.sent()) return true;  // upgraded: done was called
	if (receiver && !response.sent() && !response.deferred())
	{
		HttpAnswer answer;
		answer.receiver = std::move(receiver);
		done(std::move(answer));
		return true;
	}
	deliver(exchange, response, route, started, done);
	return true;
}

void HttpDispatcher::deliver(const std::shared_ptr<HttpExchange>& exchange, Response& response, const std::string& route,
	const Poco::Timestamp& started, const Done& done)
{
	// A handler that deferred its answer and then threw is answered with the
	// error: the deferred answer is never delivered.
	if (response.deferred() && !response.sent())
	{
		std::shared_ptr<DeferredResponse> deferred = response.deferred();
		std::atomic_store(&exchange->deferred, deferred);
		deferred->deliverTo([this, exchange, route, started, done](Response& answer)
		{
			done(finish(*exchange, answer, route, started));
		});
		return;
	}
	done(finish(*exchange, response, route, started));
}

bool HttpDispatcher::receivePart(const HttpExchange& exchange, BodyReceiver& receiver, const std::string& part,
	HttpAnswer& refusal)
{
	const Poco::Timestamp started;
	Response response;
	const std::string route = routeOf(exchange);
	guarded(exchange, route, response, [&] { receiver.receive(part.data(), part.size()); });
	if (!response.sent()) return true;
	refusal = finish(exchange, response, route, started);
	return false;
}

void HttpDispatcher::finishBody(const std::shared_ptr<HttpExchange>& exchange, const std::shared_ptr<BodyReceiver>& receiver,
	const Done& done)
{
	const Poco::Timestamp started;
	Response response;
	const std::string route = routeOf(*exchange);
	guarded(*exchange, route, response, [&]
	{
		receiver->finish(response);
		if (!response.sent() && !response.deferred()) response.sendNoContent();
	});
	deliver(exchange, response, route, started, done);
}

std::string HttpDispatcher::routeOf(const HttpExchange& exchange)
{
	if (exchange.webSocket) return rawPath(exchange.request);
	return exchange.match.route ? exchange.match.route->pattern : std::string();
}

void HttpDispatcher::guarded(const HttpExchange& exchange, const std::string& route, Response& response,
	const std::function<void()>& call)
{
	const Poco::Net::HTTPRequest& httpRequest = exchange.request;
	try
	{
		call();
	}
	catch (WorkerRequired&)
	{
		throw;  // not an error: dispatchOnIoThread() hands the request to a worker
	}
	catch (HttpError& e)
	{
		_screen.refused(&httpRequest, exchange.client, e);
		answerError(response, e);
	}
	catch (Poco::Exception& e)
	{
		if (DatabaseImpl::isUnavailability(e))
		{
			_logger.error("%s %s: storage unavailable: %s", httpRequest.getMethod(), route, e.displayText());
			answerError(response, HttpError::unavailable());
		}
		else
		{
			_logger.error("%s %s: %s", httpRequest.getMethod(), route, e.displayText());
			answerError(response, HttpError(500, "internal_error", "internal server error"));
		}
	}
	catch (std::exception& e)
	{
		_logger.error("%s %s: %s", httpRequest.getMethod(), route, std::string(e.what()));
		answerError(response, HttpError(500, "internal_error", "internal server error"));
	}
}

void HttpDispatcher::upgrade(HttpExchange& exchange, const Poco::Timestamp& started, const Done& done)
{
	const Poco::Net::HTTPRequest& http = exchange.request;
	const HandshakeResult handshake = Handshake::check(http.getMethod(), http, _origins);
	if (!handshake.accepted()) throw HttpError(handshake.status, handshake.code, handshake.message);
	WebSocketEndpointImpl& endpoint = *exchange.webSocket;
	if (!endpoint.reserve()) throw HttpError::unavailable("too many connections, try again");
	std::shared_ptr<WebSocketImpl> socket;
	try
	{
		socket = std::make_shared<WebSocketImpl>(*exchange.loop, exchange.connection, exchange.client, endpoint);
		Request request(exchange.request, exchange.client, {}, std::string());
		endpoint.accept(request, socket, [&]
		{
			HttpAnswer answer;
			answer.upgrade = socket;
			answer.bytes = Handshake::switchingProtocols(handshake.acceptKey);
			done(std::move(answer));
		});
	}
	catch (...)
	{
		if (socket) endpoint.release(*socket);
		else endpoint.unreserve();
		throw;
	}
	record(http, rawPath(http), exchange.client, 101, started.elapsed() / 1e6);
}

HttpAnswer HttpDispatcher::finish(const HttpExchange& exchange, Response& response, const std::string& route,
	const Poco::Timestamp& started)
{
	HttpAnswer answer;
	// A body we refused is still on the wire: do not read the next request from it.
	answer.close = !exchange.keepAlive || exchange.bodyPending || response.status() == 411 || response.status() == 413;
	if (response.bodySource() && exchange.request.getMethod() != Poco::Net::HTTPRequest::HTTP_HEAD)
	{
		answer.stream = std::make_shared<BodyStream>();
		answer.stream->source = response.bodySource();
		// HTTP/1.0 has no chunks: the body ends with the connection.
		answer.stream->chunked = exchange.request.getVersion() != Poco::Net::HTTPMessage::HTTP_1_0;
		if (answer.stream->chunked) response.http().setChunkedTransferEncoding(true);
		else answer.close = true;
	}
	answer.bytes = serialise(&exchange.request, response, !answer.close);
	record(exchange.request, route, exchange.client, response.status(), started.elapsed() / 1e6);
	return answer;
}

HttpAnswer HttpDispatcher::refuse(const Poco::Net::HTTPRequest* request, const Poco::Net::SocketAddress& client,
	const HttpError& error, bool keepAlive)
{
	_screen.refused(request, client, error);
	Response response;
	answerError(response, error);
	HttpAnswer answer;
	answer.close = !keepAlive;
	answer.bytes = serialise(request, response, keepAlive);
	if (request) record(*request, "", client, error.status(), 0);
	return answer;
}

void HttpDispatcher::answerError(Response& response, const HttpError& error)
{
	if (response.sent())
	{
		_logger.warning("error after the answer was sent: %s", error.message());
		return;
	}
	response.sendError(error);
}

std::string HttpDispatcher::serialise(const Poco::Net::HTTPRequest* request, Response& response, bool keepAlive)
{
	Poco::Net::HTTPResponse& http = response.http();
	http.setVersion(request ? request->getVersion() : Poco::Net::HTTPMessage::HTTP_1_1);
	http.setKeepAlive(keepAlive);
	http.set("Date", httpDate());
	http.set("Server", "Palaver");
	// What HTTPResponse::write() produces, without a stream.
	std::string bytes;
	const std::string& body = response.body();
	const bool withBody = !request || request->getMethod() != Poco::Net::HTTPRequest::HTTP_HEAD;
	bytes.reserve(256 + (withBody ? body.size() : 0));
	bytes.append(http.getVersion()).append(" ").append(std::to_string(static_cast<int>(http.getStatus())))
		.append(" ").append(http.getReason()).append("\r\n");
	for (const auto& field: http) bytes.append(field.first).append(": ").append(field.second).append("\r\n");
	bytes.append("\r\n");
	if (withBody) bytes.append(body);
	return bytes;
}

void HttpDispatcher::record(const Poco::Net::HTTPRequest& request, const std::string& route,
	const Poco::Net::SocketAddress& client, int status, double seconds)
{
	_metrics.recordRequest(request.getMethod(), route, status, seconds);
	// The path only: query strings can carry tokens.
	if (_accessLog.information())
		_accessLog.information("%s \"%s %s\" %d %.1fms", client.host().toString(), request.getMethod(), rawPath(request),
			status, seconds * 1000);
}

} } // namespace Palaver::Server
