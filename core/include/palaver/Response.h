//
// Response.h
//

#ifndef Palaver_Response_INCLUDED
#define Palaver_Response_INCLUDED

#include <Poco/Dynamic/Var.h>
#include <Poco/Net/HTTPResponse.h>
#include <functional>
#include <memory>
#include <string>

namespace Palaver {

class DeferredResponse;
class HttpError;

/// The answer a route handler builds. Send exactly once; a handler that sends
/// nothing gets a 204. Headers (cookies, caching) go through http(). The core
/// writes the answer once the handler has returned, unless the handler
/// deferred it (defer()): then once the DeferredResponse is completed.
class Response
{
public:
	Response();

	Poco::Net::HTTPResponse& http() { return _response; }
	const Poco::Net::HTTPResponse& http() const { return _response; }

	/// Serialises json (an Object::Ptr, Array::Ptr or any Var) as the body.
	void sendJson(int status, const Poco::Dynamic::Var& json);

	/// Sends an already serialised JSON document.
	void sendJsonText(int status, const std::string& jsonText);

	void send(int status, const std::string& contentType, const std::string& body);
	void sendNoContent();

	/// Makes the next part of a streamed body: appends it to chunk (empty on
	/// entry) and returns whether more follows. Called on a worker thread,
	/// one call at a time, each once the connection has written the part
	/// before; never on an event loop, so it may read the database. What it
	/// throws ends the answer cut short (the head is already sent: no JSON
	/// error can follow) and is logged. Keep a part bounded (tens of KiB to a
	/// few MiB): it is what the answer holds in memory at once.
	using BodySource = std::function<bool(std::string& chunk)>;

	/// Sends a body of unknown length made by source, a part at a time (API
	/// 3.0): with Transfer-Encoding: chunked on HTTP/1.1, or ended by closing
	/// the connection on HTTP/1.0. Nothing is produced for HEAD. Each part
	/// must be written within [http] request_timeout or the connection is
	/// closed; a reader that goes away ends the source (it is destroyed, on
	/// any thread, without being called again). Send the status and headers
	/// first: errors that can be known before the first part (404, 403) must
	/// be thrown before stream() is called.
	void stream(int status, const std::string& contentType, BodySource source);

	/// The streamed body's source (stream()), or null.
	const BodySource& bodySource() const { return _source; }

	/// Sends error's JSON error ({"error":{"code","message","field"}}, see
	/// PROTOCOL.md) with its status and headers.
	void sendError(const HttpError& error);

	/// Takes the answer out of the handler (API 2.0): the handler returns
	/// without sending, and the answer is written once the DeferredResponse
	/// returned is completed, from any thread (at most [http] request_timeout
	/// later, or the core answers 503). Requests of the connection that come
	/// after wait for it. Call once, before sending anything; throws
	/// Poco::IllegalStateException otherwise. What this Response was given
	/// besides (headers) is not part of the deferred answer.
	std::shared_ptr<DeferredResponse> defer();

	/// The deferred answer, or null if the handler did not call defer().
	const std::shared_ptr<DeferredResponse>& deferred() const { return _deferred; }

	bool sent() const { return _sent; }
	int status() const { return _status; }

	/// The body sent (empty before, and for a streamed body).
	const std::string& body() const { return _body; }

private:
	Poco::Net::HTTPResponse _response;
	std::string _body;
	BodySource _source;
	bool _sent = false;
	int _status = 0;
	std::shared_ptr<DeferredResponse> _deferred;
};

} // namespace Palaver

#endif
