#include "palaver/Request.h"
#include "palaver/HttpError.h"
#include "palaver/PercentEncoding.h"
#include "palaver/WorkerRequired.h"
#include <Poco/Net/NameValueCollection.h>
#include <Poco/Exception.h>
#include <Poco/NumberParser.h>

namespace Palaver {

Request::Request(Poco::Net::HTTPRequest& request, const Poco::Net::SocketAddress& clientAddress,
	std::map<std::string, std::string> params, std::string body):
	_request(request),
	_clientAddress(clientAddress),
	_params(std::move(params)),
	_body(std::move(body))
{
	const std::string& uri = request.getURI();
	const auto mark = uri.find('?');
	_path = PercentEncoding::decode(uri.substr(0, mark), "path");
	if (mark != std::string::npos) _query = uri.substr(mark + 1);
}

const std::string& Request::param(const std::string& name) const
{
	static const std::string none;
	auto it = _params.find(name);
	return it == _params.end() ? none : it->second;
}

Poco::Int64 Request::idParam(const std::string& name) const
{
	const std::string& text = param(name);
	Poco::Int64 id = 0;
	const bool digitsOnly = !text.empty() && text.size() <= 18 && text.find_first_not_of("0123456789") == std::string::npos;
	if (!digitsOnly || !Poco::NumberParser::tryParse64(text, id) || id <= 0)
		throw HttpError::notFound("no such " + name);
	return id;
}

std::string Request::query(const std::string& name, const std::string& defaultValue) const
{
	if (_query.empty()) return defaultValue;
	for (const auto& parameter: PercentEncoding::queryParameters(_query))
	{
		if (parameter.first == name) return parameter.second;
	}
	return defaultValue;
}

std::string Request::cookie(const std::string& name) const
{
	Poco::Net::NameValueCollection cookies;
	_request.getCookies(cookies);
	return cookies.get(name, "");
}

void Request::requireWorker() const
{
	if (_onIoThread) throw WorkerRequired();
}

void Request::receiveBody(std::shared_ptr<BodyReceiver> receiver)
{
	if (!_streamsBody) throw Poco::IllegalStateException("receiveBody() on a route that does not stream its body");
	_receiver = std::move(receiver);
}

const Form& Request::form() const
{
	if (!_form) _form.reset(new Form(Form::parse(_request.getContentType(), _body)));
	return *_form;
}

void Request::setAttribute(const std::string& key, const std::string& value)
{
	_attributes[key] = value;
}

std::string Request::attribute(const std::string& key, const std::string& defaultValue) const
{
	auto it = _attributes.find(key);
	return it == _attributes.end() ? defaultValue : it->second;
}

} // namespace Palaver
