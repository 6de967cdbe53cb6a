#include "palaver/Response.h"
#include "palaver/DeferredResponse.h"
#include "palaver/HttpError.h"
#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
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

void Response::sendError(const HttpError& error)
{
	for (const auto& header: error.headers()) _response.set(header.first, header.second);
	Poco::JSON::Object::Ptr detail = new Poco::JSON::Object;
	detail->set("code", error.code());
	detail->set("message", error.message());
	if (!error.field().empty()) detail->set("field", error.field());
	Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
	body->set("error", detail);
	sendJson(error.status(), body);
}

std::shared_ptr<DeferredResponse> Response::defer()
{
	if (_sent || _deferred) throw Poco::IllegalStateException("the answer was already sent or deferred");
	_deferred = std::make_shared<DeferredResponse>();
	return _deferred;
}

} // namespace Palaver
