#include "HttpClient.h"
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

namespace Palaver {
namespace Testing {

std::string HttpReply::header(const std::string& name) const
{
	return headers.get(name, "");
}

Poco::JSON::Object::Ptr HttpReply::json() const
{
	Poco::JSON::Parser parser;
	return parser.parse(body).extract<Poco::JSON::Object::Ptr>();
}

Poco::JSON::Array::Ptr HttpReply::jsonArray() const
{
	Poco::JSON::Parser parser;
	return parser.parse(body).extract<Poco::JSON::Array::Ptr>();
}

std::string HttpReply::errorCode() const
{
	try
	{
		auto error = json()->getObject("error");
		return error ? error->getValue<std::string>("code") : "";
	}
	catch (Poco::Exception&)
	{
		return "";
	}
}

HttpClient::HttpClient(Poco::UInt16 port, const std::string& host):
	_session(host, port)
{
	_session.setKeepAlive(true);
	_session.setTimeout(Poco::Timespan(30, 0));
}

HttpReply HttpClient::request(const std::string& method, const std::string& path,
	const std::string& body, const std::string& contentType, const Poco::Net::NameValueCollection& headers)
{
	Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
	if (!body.empty() || method == "POST" || method == "PUT") request.setContentLength64(static_cast<Poco::Int64>(body.size()));
	prepare(request, contentType, headers);
	std::ostream& out = _session.sendRequest(request);
	out.write(body.data(), static_cast<std::streamsize>(body.size()));
	return receive();
}

HttpReply HttpClient::announceBody(const std::string& path, Poco::Int64 size, const std::string& contentType)
{
	Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, path, Poco::Net::HTTPMessage::HTTP_1_1);
	request.setContentLength64(size);
	prepare(request, contentType, Poco::Net::NameValueCollection());
	_session.sendRequest(request);
	HttpReply reply = receive();
	_session.reset();  // the announced body never came: this connection is done
	return reply;
}

void HttpClient::prepare(Poco::Net::HTTPRequest& request, const std::string& contentType, const Poco::Net::NameValueCollection& headers)
{
	request.setKeepAlive(true);
	if (!contentType.empty()) request.setContentType(contentType);
	if (!_bearer.empty()) request.set("Authorization", "Bearer " + _bearer);
	if (!_cookie.empty()) request.set("Cookie", _cookie);
	for (const auto& header: headers) request.set(header.first, header.second);
}

HttpReply HttpClient::receive()
{
	Poco::Net::HTTPResponse response;
	std::istream& in = _session.receiveResponse(response);
	HttpReply reply;
	reply.status = response.getStatus();
	Poco::StreamCopier::copyToString(in, reply.body);
	for (const auto& header: response)
	{
		if (Poco::icompare(header.first, "Set-Cookie") == 0)
			reply.setCookies.push_back(header.second);
		else
			reply.headers.add(header.first, header.second);
	}
	if (!response.getKeepAlive()) _session.reset();
	return reply;
}

HttpReply HttpClient::postJson(const std::string& path, const Poco::JSON::Object& json)
{
	std::ostringstream text;
	json.stringify(text);
	return postJson(path, text.str());
}

HttpReply HttpClient::postForm(const std::string& path, const std::vector<std::pair<std::string, std::string>>& fields)
{
	std::string body;
	for (const auto& field: fields)
		body += (body.empty() ? "" : "&") + encode(field.first) + "=" + encode(field.second);
	return request("POST", path, body, "application/x-www-form-urlencoded");
}

HttpReply HttpClient::registerUser(const std::string& userName, const std::string& password, const std::string& info)
{
	Poco::JSON::Object json;
	json.set("username", userName);
	json.set("password", password);
	json.set("info", info);
	HttpReply reply = postJson("/register", json);
	if (reply.status == 201) setBearer(reply.json()->getValue<std::string>("token"));
	return reply;
}

std::string HttpClient::encode(const std::string& text)
{
	std::string encoded;
	Poco::URI::encode(text, "!#$&'()*+,/:;=?@[]", encoded);
	return encoded;
}

} } // namespace Palaver::Testing
