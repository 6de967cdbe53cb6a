//
// Response.h
//

#ifndef Palaver_Response_INCLUDED
#define Palaver_Response_INCLUDED

#include <Poco/Dynamic/Var.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <string>

namespace Palaver {

/// The answer a route handler builds. Send exactly once; a handler that sends
/// nothing gets a 204. Headers (cookies, caching) go through http() first.
class Response
{
public:
	explicit Response(Poco::Net::HTTPServerResponse& response);

	Poco::Net::HTTPServerResponse& http() { return _response; }

	/// Serialises json (an Object::Ptr, Array::Ptr or any Var) as the body.
	void sendJson(int status, const Poco::Dynamic::Var& json);

	/// Sends an already serialised JSON document.
	void sendJsonText(int status, const std::string& jsonText);

	void send(int status, const std::string& contentType, const std::string& body);
	void sendNoContent();

	bool sent() const { return _sent; }
	int status() const { return _status; }

private:
	Poco::Net::HTTPServerResponse& _response;
	bool _sent = false;
	int _status = 0;
};

} // namespace Palaver

#endif
