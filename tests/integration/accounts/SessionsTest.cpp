// Sessions end everywhere (issue 15): log-out, revocation, password change and
// expiry close every socket of the ended sessions with 4001 within a second,
// and nothing such a socket sends afterwards is stored.
#include "AccountsSupport.h"
#include <Poco/JSON/Parser.h>
#include <Poco/Timestamp.h>
#include <cppunit/extensions/HelperMacros.h>
#include <set>
#include <sstream>

using namespace Palaver::Testing;

namespace {

const int SESSION_ENDED = 4001;

/// A socket on the ws port authenticated with token, after ready.
std::unique_ptr<RawWs> rawSocket(TestServer& server, const std::string& token)
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

/// Reads frames until the close frame: its code, and whether an ack came first.
int closeCodeAfter(RawWs& socket, int timeoutMs, bool& acked)
{
	const Poco::Timestamp started;
	acked = false;
	for (;;)
	{
		const int left = timeoutMs - static_cast<int>(started.elapsed() / 1000);
		RawWs::Frame frame = socket.receive(left > 0 ? left : 1);
		if (frame.opcode == 8) return frame.closeCode();
		if (frame.opcode == -1) return 0;
		if (frame.opcode == 1 && frame.payload.find("\"ack\"") != std::string::npos) acked = true;
	}
}

std::string chatFrame(Poco::Int64 to, const std::string& text)
{
	return "{\"type\":\"chatmsg\",\"toUserId\":" + std::to_string(to) + ",\"text\":\"" + text + "\",\"clientMsgId\":\"late\"}";
}

/// True when the connection stays open for ms (frames that come meanwhile are skipped).
bool staysOpen(WsClient& client, int ms)
{
	const Poco::Timestamp started;
	try
	{
		for (;;)
		{
			const int left = ms - static_cast<int>(started.elapsed() / 1000);
			if (left <= 0) return true;
			client.receiveJson(left);
		}
	}
	catch (Poco::TimeoutException&)
	{
		return true;
	}
	catch (Poco::Exception&)
	{
		return false;
	}
}

std::size_t messageCount(TestServer& server, const Account& reader, Poco::Int64 with)
{
	return call(server, reader.token, "GET", "/messages/from/" + std::to_string(with)).jsonArray()->size();
}

} // namespace

class SessionsTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(SessionsTest);
	CPPUNIT_TEST(testLogoutClosesItsSockets);
	CPPUNIT_TEST(testListSessions);
	CPPUNIT_TEST(testEndOneSession);
	CPPUNIT_TEST(testRevokeOthers);
	CPPUNIT_TEST(testPasswordChange);
	CPPUNIT_TEST(testExpiredSessionCloses);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		_server = startWsServer();
	}

	void tearDown() override
	{
		_server.reset();
	}

	void testLogoutClosesItsSockets()
	{
		Account a = registerAccount(*_server, "out");
		Account b = registerAccount(*_server, "peer");
		auto first = rawSocket(*_server, a.token);
		auto second = rawSocket(*_server, a.token);
		const Account other = withToken(a, login(*_server, a));
		auto untouched = connectAs(*_server, other);

		HttpReply reply = call(*_server, a.token, "POST", "/logout");
		CPPUNIT_ASSERT_EQUAL(204, reply.status);
		const Poco::Timestamp loggedOut;
		// Sent after the log-out was answered: never stored.
		first->sendText(chatFrame(b.id, "after logout"));
		bool acked = true;
		CPPUNIT_ASSERT_EQUAL(SESSION_ENDED, closeCodeAfter(*first, 1000, acked));
		CPPUNIT_ASSERT(!acked);
		CPPUNIT_ASSERT_EQUAL(SESSION_ENDED, second->waitForClose(1000));
		CPPUNIT_ASSERT(loggedOut.elapsed() < 1000000);

		// The other session keeps its socket and sees no such message.
		CPPUNIT_ASSERT(staysOpen(*untouched, 300));
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), messageCount(*_server, other, b.id));
		CPPUNIT_ASSERT_EQUAL(401, call(*_server, a.token, "GET", "/me").status);
		// The dead token cannot open a socket either.
		WsClient refused(_server->wsPort(), "/?token=" + a.token);
		CPPUNIT_ASSERT_EQUAL(1008, refused.waitForClose(2000));
	}

	void testListSessions()
	{
		Account a = registerAccount(*_server, "list");
		const std::string phone = login(*_server, a, "PhoneBrowser/1.0 \xc3\xa9");
		HttpReply reply = call(*_server, phone, "GET", "/sessions");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 200, reply.status);
		CPPUNIT_ASSERT(reply.body.find(a.token) == std::string::npos);
		CPPUNIT_ASSERT(reply.body.find(phone) == std::string::npos);
		auto sessions = reply.jsonArray();
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), sessions->size());
		std::set<std::string> ids;
		int current = 0;
		for (std::size_t i = 0; i < sessions->size(); ++i)
		{
			auto session = sessions->getObject(static_cast<unsigned>(i));
			ids.insert(session->getValue<std::string>("id"));
			CPPUNIT_ASSERT_EQUAL(std::size_t(16), session->getValue<std::string>("id").size());
			CPPUNIT_ASSERT(session->getValue<std::string>("createdAt").find('T') == 10);
			CPPUNIT_ASSERT(session->has("lastSeenAt"));
			if (session->getValue<bool>("current"))
			{
				++current;
				CPPUNIT_ASSERT_EQUAL(std::string("PhoneBrowser/1.0 ??"), session->getValue<std::string>("userAgent"));
			}
		}
		CPPUNIT_ASSERT_EQUAL(1, current);
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), ids.size());
		CPPUNIT_ASSERT_EQUAL(401, call(*_server, "", "GET", "/sessions").status);
	}

	void testEndOneSession()
	{
		Account a = registerAccount(*_server, "one");
		Account b = registerAccount(*_server, "other");
		const std::string laptop = login(*_server, a);
		auto laptopSocket = connectAs(*_server, withToken(a, laptop));
		auto mine = connectAs(*_server, a);

		std::string laptopId;
		auto sessions = call(*_server, a.token, "GET", "/sessions").jsonArray();
		for (std::size_t i = 0; i < sessions->size(); ++i)
		{
			auto session = sessions->getObject(static_cast<unsigned>(i));
			if (!session->getValue<bool>("current")) laptopId = session->getValue<std::string>("id");
		}
		CPPUNIT_ASSERT(!laptopId.empty());

		// Another user cannot end it; unknown or malformed ids are 404.
		CPPUNIT_ASSERT_EQUAL(404, call(*_server, b.token, "DELETE", "/sessions/" + laptopId).status);
		CPPUNIT_ASSERT_EQUAL(404, call(*_server, a.token, "DELETE", "/sessions/0000000000000000").status);
		CPPUNIT_ASSERT_EQUAL(404, call(*_server, a.token, "DELETE", "/sessions/zz").status);

		CPPUNIT_ASSERT_EQUAL(204, call(*_server, a.token, "DELETE", "/sessions/" + laptopId).status);
		const Poco::Timestamp ended;
		CPPUNIT_ASSERT_EQUAL(SESSION_ENDED, laptopSocket->waitForClose(1000));
		CPPUNIT_ASSERT(ended.elapsed() < 1000000);
		CPPUNIT_ASSERT_EQUAL(401, call(*_server, laptop, "GET", "/me").status);
		CPPUNIT_ASSERT(staysOpen(*mine, 200));
		CPPUNIT_ASSERT_EQUAL(200, call(*_server, a.token, "GET", "/me").status);
		CPPUNIT_ASSERT_EQUAL(404, call(*_server, a.token, "DELETE", "/sessions/" + laptopId).status);
	}

	void testRevokeOthers()
	{
		Account a = registerAccount(*_server, "revoke");
		Account b = registerAccount(*_server, "watcher");
		const std::string second = login(*_server, a);
		const std::string third = login(*_server, a);
		auto secondSocket = rawSocket(*_server, second);
		auto thirdSocket = connectAs(*_server, withToken(a, third));
		auto mine = connectAs(*_server, a);
		auto bSocket = connectAs(*_server, b);

		CPPUNIT_ASSERT_EQUAL(204, call(*_server, a.token, "POST", "/sessions/revoke-others").status);
		secondSocket->sendText(chatFrame(b.id, "after revoke"));
		bool acked = true;
		CPPUNIT_ASSERT_EQUAL(SESSION_ENDED, closeCodeAfter(*secondSocket, 1000, acked));
		CPPUNIT_ASSERT(!acked);
		CPPUNIT_ASSERT_EQUAL(SESSION_ENDED, thirdSocket->waitForClose(1000));
		CPPUNIT_ASSERT_EQUAL(401, call(*_server, second, "GET", "/me").status);
		CPPUNIT_ASSERT_EQUAL(401, call(*_server, third, "GET", "/me").status);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), call(*_server, a.token, "GET", "/sessions").jsonArray()->size());
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), messageCount(*_server, a, b.id));
		// The current session's socket still works.
		mine->sendJson(*Poco::JSON::Parser().parse(chatFrame(b.id, "still here")).extract<Poco::JSON::Object::Ptr>());
		CPPUNIT_ASSERT(mine->receiveType("ack")->getValue<Poco::Int64>("id") > 0);
		CPPUNIT_ASSERT_EQUAL(std::string("still here"), bSocket->receiveType("chatmsg")->getValue<std::string>("text"));
	}

	void testPasswordChange()
	{
		Account a = registerAccount(*_server, "pw");
		const std::string other = login(*_server, a);
		auto otherSocket = connectAs(*_server, withToken(a, other));
		auto mine = connectAs(*_server, a);

		HttpReply wrong = call(*_server, a.token, "POST", "/password", "{\"currentPassword\":\"nope-nope\",\"newPassword\":\"brandnew1\"}");
		CPPUNIT_ASSERT_EQUAL(403, wrong.status);
		CPPUNIT_ASSERT_EQUAL(std::string("wrong_password"), wrong.errorCode());
		HttpReply tooShort = call(*_server, a.token, "POST", "/password", "{\"currentPassword\":\"secret123\",\"newPassword\":\"abc\"}");
		CPPUNIT_ASSERT_EQUAL(400, tooShort.status);
		CPPUNIT_ASSERT(tooShort.body.find("newPassword") != std::string::npos);
		CPPUNIT_ASSERT(staysOpen(*otherSocket, 100));

		CPPUNIT_ASSERT_EQUAL(204, call(*_server, a.token, "POST", "/password", "{\"currentPassword\":\"secret123\",\"newPassword\":\"brandnew1\"}").status);
		CPPUNIT_ASSERT_EQUAL(SESSION_ENDED, otherSocket->waitForClose(1000));
		CPPUNIT_ASSERT_EQUAL(401, call(*_server, other, "GET", "/me").status);
		CPPUNIT_ASSERT_EQUAL(200, call(*_server, a.token, "GET", "/me").status);
		CPPUNIT_ASSERT(staysOpen(*mine, 200));

		HttpClient http(_server->httpPort());
		CPPUNIT_ASSERT_EQUAL(401, http.postJson("/login", "{\"username\":\"" + a.name + "\",\"password\":\"secret123\"}").status);
		CPPUNIT_ASSERT_EQUAL(200, http.postJson("/login", "{\"username\":\"" + a.name + "\",\"password\":\"brandnew1\"}").status);
	}

	void testExpiredSessionCloses()
	{
		_server.reset();
		_server = startWsServer({"--auth.session_ttl=2"});
		Account a = registerAccount(*_server, "expiry");
		const Poco::Timestamp registered;
		auto socket = connectAs(*_server, a);
		CPPUNIT_ASSERT_EQUAL(SESSION_ENDED, socket->waitForClose(5000));
		const Poco::Timestamp::TimeDiff after = registered.elapsed();
		// Expired at 2 s after its creation (before `registered`), closed within a second of that.
		CPPUNIT_ASSERT(after >= 1500000);
		CPPUNIT_ASSERT_MESSAGE(std::to_string(after), after < 3000000);
		CPPUNIT_ASSERT_EQUAL(401, call(*_server, a.token, "GET", "/me").status);
	}

private:
	std::unique_ptr<TestServer> _server;
};

CPPUNIT_TEST_SUITE_REGISTRATION(SessionsTest);
