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
		assertNothingStoredAfterEnd(*_server, *first, b, a.id, "", "after logout");
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
		auto laptopSocket = rawSocket(*_server, laptop);
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

		laptopSocket->sendText(chatFrame(b.id, "racing the end"));
		CPPUNIT_ASSERT_EQUAL(204, call(*_server, a.token, "DELETE", "/sessions/" + laptopId).status);
		const Poco::Timestamp ended;
		laptopSocket->sendText(chatFrame(b.id, "after the end"));
		assertNothingStoredAfterEnd(*_server, *laptopSocket, b, a.id, "racing the end", "after the end");
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
		assertNothingStoredAfterEnd(*_server, *secondSocket, b, a.id, "", "after revoke");
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
		Account b = registerAccount(*_server, "pwpeer");
		const std::string other = login(*_server, a);
		auto otherSocket = rawSocket(*_server, other);
		auto mine = connectAs(*_server, a);

		HttpReply wrong = call(*_server, a.token, "POST", "/password", "{\"currentPassword\":\"nope-nope\",\"newPassword\":\"brandnew1\"}");
		CPPUNIT_ASSERT_EQUAL(403, wrong.status);
		CPPUNIT_ASSERT_EQUAL(std::string("wrong_password"), wrong.errorCode());
		HttpReply tooShort = call(*_server, a.token, "POST", "/password", "{\"currentPassword\":\"secret123\",\"newPassword\":\"abc\"}");
		CPPUNIT_ASSERT_EQUAL(400, tooShort.status);
		CPPUNIT_ASSERT(tooShort.body.find("newPassword") != std::string::npos);
		std::set<std::string> none;
		CPPUNIT_ASSERT_THROW(closeCodeAfter(*otherSocket, 100, none), Poco::TimeoutException);

		otherSocket->sendText(chatFrame(b.id, "racing the change"));
		CPPUNIT_ASSERT_EQUAL(204, call(*_server, a.token, "POST", "/password", "{\"currentPassword\":\"secret123\",\"newPassword\":\"brandnew1\"}").status);
		otherSocket->sendText(chatFrame(b.id, "after the change"));
		assertNothingStoredAfterEnd(*_server, *otherSocket, b, a.id, "racing the change", "after the change");
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
		Account b = registerAccount(*_server, "expirypeer");
		Account a = registerAccount(*_server, "expiry");
		const Poco::Timestamp registered;
		auto socket = rawSocket(*_server, a.token);

		// A frame every 50 ms until the close, racing the expiry: what is sent
		// after it is never stored.
		std::vector<std::pair<std::string, Poco::Timestamp::TimeDiff>> sent;
		std::set<std::string> acked;
		int code = 0;
		bool closed = false;
		for (int i = 0; i < 100 && !closed; ++i)
		{
			const std::string text = "tick " + std::to_string(i);
			sent.emplace_back(text, registered.elapsed());
			try
			{
				socket->sendText(chatFrame(b.id, text));
			}
			catch (Poco::Exception&)
			{
				break;  // closed under us
			}
			const Poco::Timestamp waiting;
			while (!closed && waiting.elapsed() < 50000)
			{
				try
				{
					const RawWs::Frame frame = socket->receive(10);
					closed = frame.opcode == 8 || frame.opcode == -1;
					if (frame.opcode == 8) code = frame.closeCode();
					if (frame.opcode == 1 && frame.payload.find("\"ack\"") != std::string::npos)
						acked.insert(Poco::JSON::Parser().parse(frame.payload).extract<Poco::JSON::Object::Ptr>()->getValue<std::string>("clientMsgId"));
				}
				catch (Poco::TimeoutException&)
				{
				}
			}
		}
		const Poco::Timestamp::TimeDiff after = registered.elapsed();
		CPPUNIT_ASSERT_EQUAL(SESSION_ENDED, code);
		// Expires 2 s after its creation (before `registered`); ended by the
		// sweep before it that comes at most 500 ms earlier.
		CPPUNIT_ASSERT_MESSAGE(std::to_string(after), after >= 1400000);
		CPPUNIT_ASSERT_MESSAGE(std::to_string(after), after < 3000000);
		CPPUNIT_ASSERT_EQUAL(401, call(*_server, a.token, "GET", "/me").status);

		const Account reader = withToken(b, login(*_server, b));
		for (const auto& frame: sent)
		{
			const bool isStored = stored(*_server, reader, a.id, frame.first);
			if (acked.count(frame.first)) CPPUNIT_ASSERT_MESSAGE(frame.first, isStored);
			if (frame.second >= 2000000) CPPUNIT_ASSERT_MESSAGE(frame.first + " was sent after the expiry", !isStored);
		}
		CPPUNIT_ASSERT(!acked.empty());
	}

private:
	std::unique_ptr<TestServer> _server;
};

CPPUNIT_TEST_SUITE_REGISTRATION(SessionsTest);
