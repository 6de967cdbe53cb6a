#include "HttpServer.h"
#include "DatabaseImpl.h"
#include "MetricsImpl.h"
#include "RouterImpl.h"
#include "palaver/HttpError.h"
#include "palaver/Request.h"
#include "palaver/Response.h"
#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Stopwatch.h>
#include <Poco/Thread.h>
#include <Poco/Timestamp.h>

namespace Palaver {
namespace Server {

namespace {

const int LISTEN_BACKLOG = 1024;

void sendError(Response& response, const HttpError& error)
{
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
	const HttpError tooLarge(413, "payload_too_large", "the request body exceeds " + std::to_string(limit) + " bytes");
	if (request.hasContentLength() && request.getContentLength64() > static_cast<Poco::Int64>(limit))
		throw tooLarge;
	std::string body;
	if (!request.hasContentLength() && !request.getChunkedTransferEncoding())
		return body;
	std::istream& stream = request.stream();
	char buffer[8192];
	while (stream.read(buffer, sizeof(buffer)) || stream.gcount() > 0)
	{
		body.append(buffer, static_cast<std::size_t>(stream.gcount()));
		if (body.size() > limit) throw tooLarge;
	}
	return body;
}

} // namespace

class HttpServer::Dispatcher: public Poco::Net::HTTPRequestHandler
{
public:
	Dispatcher(RouterImpl& router, MetricsImpl& metrics, std::size_t maxBodySize, std::atomic<int>& active):
		_router(router),
		_metrics(metrics),
		_maxBodySize(maxBodySize),
		_active(active),
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
			auto match = _router.match(httpRequest.getMethod(), rawPath);
			const std::size_t limit = match.route && match.route->options.maxBodySize ? match.route->options.maxBodySize : _maxBodySize;
			std::string body = readBody(httpRequest, limit);
			if (!match.route)
			{
				if (match.allowed.empty()) throw HttpError::notFound("no such route");
				std::string allow;
				for (const auto& method: match.allowed) allow += (allow.empty() ? "" : ", ") + method;
				httpResponse.set("Allow", allow);
				throw HttpError(405, "method_not_allowed", "use " + allow);
			}
			route = match.route->pattern;
			Request request(httpRequest, std::move(match.params), std::move(body));
			match.route->handler(request, response);
			detached = request.detached();
			if (!detached && !response.sent()) response.sendNoContent();
		}
		catch (HttpError& e)
		{
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
		if (error.status() == 413) response.http().setKeepAlive(false);
		sendError(response, error);
	}

	RouterImpl& _router;
	MetricsImpl& _metrics;
	std::size_t _maxBodySize;
	std::atomic<int>& _active;
	Poco::Logger& _logger;
	Poco::Logger& _accessLog;
};

class HttpServer::DispatcherFactory: public Poco::Net::HTTPRequestHandlerFactory
{
public:
	DispatcherFactory(RouterImpl& router, MetricsImpl& metrics, std::size_t maxBodySize, std::atomic<int>& active):
		_router(router), _metrics(metrics), _maxBodySize(maxBodySize), _active(active)
	{
	}

	Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override
	{
		return new Dispatcher(_router, _metrics, _maxBodySize, _active);
	}

private:
	RouterImpl& _router;
	MetricsImpl& _metrics;
	std::size_t _maxBodySize;
	std::atomic<int>& _active;
};

HttpServer::HttpServer(const Poco::Util::AbstractConfiguration& config, RouterImpl& router, MetricsImpl& metrics):
	_threads("http", 2, config.getInt("http.max_threads", 64), 60)
{
	const int maxThreads = config.getInt("http.max_threads", 64);
	Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
	params->setMaxThreads(maxThreads);
	params->setMaxQueued(config.getInt("http.max_queued", 256));
	params->setKeepAlive(true);
	params->setKeepAliveTimeout(Poco::Timespan(config.getInt("http.keep_alive_timeout", 15), 0));
	params->setTimeout(Poco::Timespan(config.getInt("http.request_timeout", 30), 0));
	params->setSoftwareVersion("Palaver");

	const Poco::Net::SocketAddress address(config.getString("http.address", "127.0.0.1"),
		static_cast<Poco::UInt16>(config.getUInt("http.port", 8080)));
	Poco::Net::ServerSocket socket;
	socket.bind(address, true);
	socket.listen(LISTEN_BACKLOG);

	const std::size_t maxBodySize = config.getUInt64("http.max_body_size", 65536);
	_server.reset(new Poco::Net::HTTPServer(new DispatcherFactory(router, metrics, maxBodySize, _active), _threads, socket, params));
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
