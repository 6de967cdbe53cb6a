//
// Request.h
//

#ifndef Palaver_Request_INCLUDED
#define Palaver_Request_INCLUDED

#include "palaver/BodyReceiver.h"
#include "palaver/Form.h"
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Types.h>
#include <map>
#include <memory>
#include <string>

namespace Palaver {

/// An HTTP request as a route handler sees it: its head (Poco's request),
/// the values of the route's {params}, and the body, already read and bounded
/// by the core. Handlers run on one of the core's worker threads (or on an
/// I/O thread, see Router::addOnIoThread()).
class Request
{
public:
	Request(Poco::Net::HTTPRequest& request, const Poco::Net::SocketAddress& clientAddress,
		std::map<std::string, std::string> params, std::string body);

	Poco::Net::HTTPRequest& http() { return _request; }
	const Poco::Net::HTTPRequest& http() const { return _request; }

	/// The peer's address (the proxy's, behind a proxy).
	const Poco::Net::SocketAddress& clientAddress() const { return _clientAddress; }

	const std::string& method() const { return _request.getMethod(); }
	const std::string& path() const { return _path; }

	/// A route parameter ({name} in the pattern), or "" if the route has none.
	const std::string& param(const std::string& name) const;

	/// A route parameter that must be a positive integer id: throws HttpError
	/// 404 otherwise (an id that cannot exist names no object).
	Poco::Int64 idParam(const std::string& name) const;

	/// A decoded query-string parameter, or defaultValue.
	std::string query(const std::string& name, const std::string& defaultValue = "") const;

	/// A cookie's value, or "".
	std::string cookie(const std::string& name) const;

	/// The raw body (at most [http] max_body_size bytes); empty on a route
	/// that streams its body (Router::Options::streamBody).
	const std::string& body() const { return _body; }

	/// On a route that streams its body: the body goes to receiver, a part
	/// at a time, once the handler has returned without answering (see
	/// BodyReceiver). Throws Poco::IllegalStateException on any other route.
	void receiveBody(std::shared_ptr<BodyReceiver> receiver);

	/// The receiver given to receiveBody(), or null.
	const std::shared_ptr<BodyReceiver>& bodyReceiver() const { return _receiver; }

	/// For the core: the handler runs before the body is read (API 4.0).
	void allowBodyReceiver() { _streamsBody = true; }

	/// The body's fields, parsed on first use (see Form::parse).
	const Form& form() const;

	/// Per-request values that one layer hands to the next (e.g. the user a
	/// guard authenticated). Keys are namespaced by convention: "auth.userId".
	void setAttribute(const std::string& key, const std::string& value);
	std::string attribute(const std::string& key, const std::string& defaultValue = "") const;

	/// Whether the handler runs on an I/O thread (Router::addOnIoThread()),
	/// where it must not block.
	bool onIoThread() const { return _onIoThread; }

	/// Call before anything that may block (API 4.2): on an I/O thread it
	/// throws WorkerRequired, and the core runs the handler again on a
	/// worker thread; on a worker it does nothing.
	void requireWorker() const;

	/// For the core: the handler runs on an I/O thread.
	void runOnIoThread() { _onIoThread = true; }

private:
	Poco::Net::HTTPRequest& _request;
	Poco::Net::SocketAddress _clientAddress;
	std::map<std::string, std::string> _params;
	std::string _body;
	std::string _path;
	std::string _query;
	mutable std::unique_ptr<Form> _form;
	bool _streamsBody = false;
	std::shared_ptr<BodyReceiver> _receiver;
	std::map<std::string, std::string> _attributes;
	bool _onIoThread = false;
};

} // namespace Palaver

#endif
