//
// Router.h
//

#ifndef Palaver_Router_INCLUDED
#define Palaver_Router_INCLUDED

#include <cstddef>
#include <functional>
#include <string>

namespace Palaver {

class Request;
class Response;

/// Maps method + path pattern to handlers. Patterns are literal segments and
/// {name} segments matching one non-empty segment: "/messages/from/{toUserId}".
/// A literal segment wins over a {param} at the same place. A trailing "*"
/// segment ("/assets/*") matches any rest of the path, available as param "*".
///
/// Handlers run on the HTTP server's pool threads, several at once (or on
/// its I/O threads, see addOnIoThread()). They answer
/// through Response or by throwing HttpError; any other exception becomes a 500
/// whose details go to the log only.
class Router
{
public:
	using Handler = std::function<void(Request&, Response&)>;

	struct Options
	{
		/// Largest accepted body; 0 means the server's [http] max_body_size.
		/// A larger Content-Length is answered 413 before any of the body is
		/// read (also when the body is streamed).
		std::size_t maxBodySize = 0;

		/// The handler runs once the head is read and takes the body a part
		/// at a time through Request::receiveBody() (API 4.0, see
		/// BodyReceiver); the core never holds it whole, so maxBodySize may
		/// be large. The body needs a Content-Length (chunked: 411).
		bool streamBody = false;

		/// With streamBody: milliseconds the whole body has to arrive, from
		/// the end of the head (408 later); 0 means [http]
		/// request_read_timeout (no limit when that is 0).
		long bodyTimeoutMs = 0;
	};

	virtual ~Router() = default;

	/// Adds a route. Throws Poco::ExistsException if method + pattern is taken.
	virtual void add(const std::string& method, const std::string& pattern, Handler handler, Options options) = 0;

	void add(const std::string& method, const std::string& pattern, Handler handler)
	{
		add(method, pattern, std::move(handler), Options());
	}

	/// API 4.2. Adds a route like add() whose handler answers from memory or
	/// defers its answer (Response::defer()), and blocks only now and then:
	/// the core runs it on the connection's I/O thread, without a hand-off
	/// to a worker and back. Before anything that may block (a database
	/// read, a file, a lock held long), before any answer or side effect,
	/// it calls Request::requireWorker(): on the I/O thread that ends the
	/// handler, which the core then runs again from the start on a worker.
	/// A handler that blocks on the I/O thread stalls every connection of
	/// that thread. Throws Poco::ExistsException if method + pattern is
	/// taken, Poco::InvalidArgumentException with options.streamBody.
	/// (A method, not a field of Options: Options is passed by value, and a
	/// plugin built against API 4.1 passes the smaller struct.)
	virtual void addOnIoThread(const std::string& method, const std::string& pattern, Handler handler, Options options) = 0;
};

} // namespace Palaver

#endif
