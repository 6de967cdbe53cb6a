#include "palaver/Response.h"
#include <Poco/JSON/Stringifier.h>
#include <sstream>

namespace Palaver {

Response::Response() = default;

void Response::sendJson(int status, const Poco::Dynamic::Var& json)
{
	std::ostringstream text;
	Poco::JSON::Stringifier::condense(json, text);
	sendJsonText(status, text.str());
}

void Response::sendJsonText(int status, const std::string& jsonText)
{
	send(status, "application/json; charset=utf-8", jsonText);
}

void Response::send(int status, const std::string& contentType, const std::string& body)
{
	_response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
	_response.setContentType(contentType);
	_response.setContentLength64(static_cast<Poco::Int64>(body.size()));
	_body = body;
	_sent = true;
	_status = status;
}

void Response::sendNoContent()
{
	_response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
	_response.setContentLength(0);
	_body.clear();
	_sent = true;
	_status = 204;
}

} // namespace Palaver
