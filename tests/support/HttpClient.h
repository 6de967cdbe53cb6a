//
// HttpClient.h
//
// A small keep-alive HTTP client for integration tests.
//

#ifndef Palaver_Testing_HttpClient_INCLUDED
#define Palaver_Testing_HttpClient_INCLUDED

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/Types.h>
#include <string>
#include <vector>

namespace Palaver {
namespace Testing {

struct HttpReply
{
	int status = 0;
	std::string body;
	Poco::Net::NameValueCollection headers;
	std::vector<std::string> setCookies;  /// raw Set-Cookie header values

	std::string header(const std::string& name) const;
	Poco::JSON::Object::Ptr json() const;      /// throws unless the body is a JSON object
	Poco::JSON::Array::Ptr jsonArray() const;  /// throws unless the body is a JSON array
	/// The "code" of a PROTOCOL.md error body ("" when it is not one).
	std::string errorCode() const;
};

class HttpClient
{
public:
	explicit HttpClient(Poco::UInt16 port, const std::string& host = "127.0.0.1");

	/// Sent with every later request as Authorization: Bearer (empty: none).
	void setBearer(const std::string& token) { _bearer = token; }
	/// Sent with every later request as Cookie (e.g. "palaver_session=..."; empty: none).
	void setCookie(const std::string& cookie) { _cookie = cookie; }

	HttpReply request(const std::string& method, const std::string& path,
		const std::string& body = "", const std::string& contentType = "",
		const Poco::Net::NameValueCollection& headers = Poco::Net::NameValueCollection());

	HttpReply get(const std::string& path) { return request("GET", path); }
	HttpReply postJson(const std::string& path, const std::string& json) { return request("POST", path, json, "application/json"); }
	HttpReply postJson(const std::string& path, const Poco::JSON::Object& json);
	HttpReply postForm(const std::string& path, const std::vector<std::pair<std::string, std::string>>& fields);

	/// Sends only the head of a POST announcing a body of size bytes, none of
	/// which follows: what a server must refuse (413) before reading the body.
	HttpReply announceBody(const std::string& path, Poco::Int64 size, const std::string& contentType);

	/// Registers (POST /register with JSON) and, on 201, remembers the token as
	/// the Bearer for later requests. Returns the reply.
	HttpReply registerUser(const std::string& userName, const std::string& password = "secret123", const std::string& info = "");

	/// Percent-encodes a query or form component.
	static std::string encode(const std::string& text);

private:
	void prepare(Poco::Net::HTTPRequest& request, const std::string& contentType, const Poco::Net::NameValueCollection& headers);
	HttpReply receive();

	Poco::Net::HTTPClientSession _session;
	std::string _bearer;
	std::string _cookie;
};

} } // namespace Palaver::Testing

#endif
