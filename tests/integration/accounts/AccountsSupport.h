//
// AccountsSupport.h
//
// Helpers of the accounts integration tests.
//

#ifndef Palaver_Testing_AccountsSupport_INCLUDED
#define Palaver_Testing_AccountsSupport_INCLUDED

#include "WsTestSupport.h"
#include <sstream>

namespace Palaver {
namespace Testing {

/// Logs in as account again: a new session's token.
inline std::string login(TestServer& server, const Account& account, const std::string& userAgent = "")
{
	HttpClient http(server.httpPort());
	Poco::JSON::Object body;
	body.set("username", account.name);
	body.set("password", "secret123");
	std::ostringstream json;
	body.stringify(json);
	Poco::Net::NameValueCollection headers;
	if (!userAgent.empty()) headers.set("User-Agent", userAgent);
	HttpReply reply = http.request("POST", "/login", json.str(), "application/json", headers);
	CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body + "\n" + server.output(), 200, reply.status);
	return reply.json()->getValue<std::string>("token");
}

inline Account withToken(const Account& account, const std::string& token)
{
	Account other = account;
	other.token = token;
	return other;
}

inline HttpReply call(TestServer& server, const std::string& token, const std::string& method, const std::string& path, const std::string& json = "")
{
	HttpClient http(server.httpPort());
	http.setBearer(token);
	return http.request(method, path, json, json.empty() ? "" : "application/json");
}

} } // namespace Palaver::Testing

#endif
