//
// Response.h
//

#ifndef Palaver_Response_INCLUDED
#define Palaver_Response_INCLUDED

#include <Poco/Dynamic/Var.h>
#include <Poco/Net/HTTPResponse.h>
#include <string>

namespace Palaver {

/// The answer a route handler builds. Send exactly once; a handler that sends
/// nothing gets a 204. Headers (cookies, caching) go through http(). The core
/// writes the answer once the handler has returned.
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

	bool sent() const { return _sent; }
	int status() const { return _status; }

	/// The body sent (empty before).
	const std::string& body() const { return _body; }

private:
	Poco::Net::HTTPResponse _response;
	std::string _body;
	bool _sent = false;
	int _status = 0;
};

} // namespace Palaver

#endif
