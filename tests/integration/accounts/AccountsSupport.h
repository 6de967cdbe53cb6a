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
#include <Poco/JSON/Parser.h>
#include <Poco/StreamCopier.h>
#include <Poco/Timestamp.h>
#include <memory>
#include <set>
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

/// The close code of a session that ended (PROTOCOL.md).
const int SESSION_ENDED = 4001;

/// A socket on the ws port authenticated with token, after ready.
inline std::unique_ptr<RawWs> rawSocket(TestServer& server, const std::string& token)
{
	auto socket = std::make_unique<RawWs>(server.wsPort());
	CPPUNIT_ASSERT_EQUAL(101, socket->handshake("/?token=" + token));
	for (int i = 0; i < 20; ++i)
	{
		RawWs::Frame frame = socket->receive();
		if (frame.opcode == 1 && frame.payload.find("\"ready\"") != std::string::npos) return socket;
	}
	CPPUNIT_FAIL("no ready frame");
	return nullptr;
}

/// A chatmsg frame to `to` whose clientMsgId is its text.
inline std::string chatFrame(Poco::Int64 to, const std::string& text)
{
	return "{\"type\":\"chatmsg\",\"toUserId\":" + std::to_string(to) + ",\"text\":\"" + text + "\",\"clientMsgId\":\"" + text + "\"}";
}

/// Reads frames until the close frame (at most timeoutMs): its code (0 when
/// none came); the clientMsgIds of the acks read meanwhile go into acked.
inline int closeCodeAfter(RawWs& socket, int timeoutMs, std::set<std::string>& acked)
{
	const Poco::Timestamp started;
	for (;;)
	{
		const int left = timeoutMs - static_cast<int>(started.elapsed() / 1000);
		RawWs::Frame frame = socket.receive(left > 0 ? left : 1);
		if (frame.opcode == 8) return frame.closeCode();
		if (frame.opcode == -1) return 0;
		if (frame.opcode != 1 || frame.payload.find("\"ack\"") == std::string::npos) continue;
		auto ack = Poco::JSON::Parser().parse(frame.payload).extract<Poco::JSON::Object::Ptr>();
		acked.insert(ack->optValue<std::string>("clientMsgId", ""));
	}
}

/// Whether reader's conversation with `with` holds a message with this text.
inline bool stored(TestServer& server, const Account& reader, Poco::Int64 with, const std::string& text)
{
	HttpReply history = call(server, reader.token, "GET", "/messages/from/" + std::to_string(with));
	CPPUNIT_ASSERT_EQUAL_MESSAGE(history.body, 200, history.status);
	auto messages = history.jsonArray();
	for (std::size_t i = 0; i < messages->size(); ++i)
	{
		if (messages->getObject(static_cast<unsigned>(i))->getValue<std::string>("text") == text) return true;
	}
	return false;
}

/// Issue 15, "nothing it sends afterwards is stored": on socket, whose
/// session ends, racing was sent just before the end and late just after
/// it, both to reader. The socket closes with 4001 within a second; late is
/// neither acknowledged nor in reader's conversation with from; racing may
/// have come before the end or not, but if it was acknowledged it is stored.
inline void assertNothingStoredAfterEnd(TestServer& server, RawWs& socket, const Account& reader, Poco::Int64 from,
	const std::string& racing, const std::string& late)
{
	std::set<std::string> acked;
	CPPUNIT_ASSERT_EQUAL(SESSION_ENDED, closeCodeAfter(socket, 1000, acked));
	CPPUNIT_ASSERT(!acked.count(late));
	CPPUNIT_ASSERT(!stored(server, reader, from, late));
	if (!racing.empty() && acked.count(racing)) CPPUNIT_ASSERT(stored(server, reader, from, racing));
}

} } // namespace Palaver::Testing

#endif
