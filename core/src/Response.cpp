#include "palaver/Response.h"
#include "palaver/DeferredResponse.h"
#include "palaver/HttpError.h"
#include "palaver/JsonWriter.h"
#include <Poco/Exception.h>
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
	_source = nullptr;
	_sent = true;
	_status = status;
}

void Response::stream(int status, const std::string& contentType, BodySource source)
{
	if (!source) throw Poco::InvalidArgumentException("a streamed body needs a source");
	_response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
	_response.setContentType(contentType);
	_response.setContentLength(Poco::Net::HTTPMessage::UNKNOWN_CONTENT_LENGTH);
	_body.clear();
	_source = std::move(source);
	_sent = true;
	_status = status;
}

void Response::sendNoContent()
{
	_response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
	_response.setContentLength(0);
	_body.clear();
	_source = nullptr;
	_sent = true;
	_status = 204;
}

void Response::sendError(const HttpError& error)
{
	for (const auto& header: error.headers()) _response.set(header.first, header.second);
	// The members in the order Poco's Object gave them before: code, field, message.
	std::string body = "{\"error\":{\"code\":";
	JsonWriter::appendString(body, error.code());
	if (!error.field().empty())
	{
		body += ",\"field\":";
		JsonWriter::appendString(body, error.field());
	}
	body += ",\"message\":";
	JsonWriter::appendString(body, error.message());
	body += "}}";
	sendJsonText(error.status(), body);
}

std::shared_ptr<DeferredResponse> Response::defer()
{
	if (_sent || _deferred) throw Poco::IllegalStateException("the answer was already sent or deferred");
	_deferred = std::make_shared<DeferredResponse>();
	return _deferred;
}

} // namespace Palaver
