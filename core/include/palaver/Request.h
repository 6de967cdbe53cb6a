//
// Request.h
//

#ifndef Palaver_Request_INCLUDED
#define Palaver_Request_INCLUDED

#include "palaver/Form.h"
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Types.h>
#include <map>
#include <memory>
#include <string>

namespace Palaver {

/// An HTTP request as a route handler sees it: Poco's request, the values of
/// the route's {params}, and the body, already read and bounded by the core.
class Request
{
public:
	Request(Poco::Net::HTTPServerRequest& request, std::map<std::string, std::string> params, std::string body);

	Poco::Net::HTTPServerRequest& http() { return _request; }
	const Poco::Net::HTTPServerRequest& http() const { return _request; }

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

	/// The raw body (at most [http] max_body_size bytes).
	const std::string& body() const { return _body; }

	/// The body's fields, parsed on first use (see Form::parse).
	const Form& form() const;

	/// Takes the connection away from the HTTP server, for protocols that
	/// upgrade it (WebSocket). The core then sends nothing more on it, and the
	/// handler's pool thread is released as soon as the handler returns. The
	/// client must wait for the answer before it sends more (WebSocket clients
	/// do): bytes already read ahead by the HTTP server would not be seen.
	Poco::Net::StreamSocket detachSocket();
	bool detached() const { return _detached; }

	/// Per-request values that one layer hands to the next (e.g. the user a
	/// guard authenticated). Keys are namespaced by convention: "auth.userId".
	void setAttribute(const std::string& key, const std::string& value);
	std::string attribute(const std::string& key, const std::string& defaultValue = "") const;

private:
	Poco::Net::HTTPServerRequest& _request;
	std::map<std::string, std::string> _params;
	std::string _body;
	std::string _path;
	std::string _query;
	mutable std::unique_ptr<Form> _form;
	std::map<std::string, std::string> _attributes;
	bool _detached = false;
};

} // namespace Palaver

#endif
