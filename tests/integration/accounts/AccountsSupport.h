//
// AccountsSupport.h
//
// Helpers of the accounts integration tests.
//

#ifndef Palaver_Testing_AccountsSupport_INCLUDED
#define Palaver_Testing_AccountsSupport_INCLUDED

#include "WsTestSupport.h"
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
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

/// Runs program with arguments, waits for it; returns its exit status and,
/// in output, what it printed (stdout and stderr).
inline int runProgram(const std::string& program, const std::vector<std::string>& arguments, std::string& output)
{
	Poco::Pipe pipe;
	Poco::ProcessHandle handle = Poco::Process::launch(program, arguments, nullptr, &pipe, &pipe);
	Poco::PipeInputStream stream(pipe);
	output.clear();
	Poco::StreamCopier::copyToString(stream, output);
	return handle.wait();
}

/// Runs palaverctl against server's admin socket; returns its exit status.
inline int ctl(TestServer& server, std::vector<std::string> arguments, std::string& output)
{
	arguments.insert(arguments.begin(), "--socket=" + server.stateDir() + "/admin.sock");
	return runProgram(TestServer::binaryDir() + "/bin/palaverctl", arguments, output);
}

/// Runs palaverctl; fails the test unless it exits 0. Returns what it printed.
inline std::string ctlOk(TestServer& server, const std::vector<std::string>& arguments)
{
	std::string output;
	CPPUNIT_ASSERT_EQUAL_MESSAGE(output, 0, ctl(server, arguments, output));
	return output;
}

} } // namespace Palaver::Testing

#endif
