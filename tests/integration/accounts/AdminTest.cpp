// Administration (issue 15, steps 3 and 4): registration modes and invite
// codes; palaverctl users ... on the running daemon (a disabled or deleted
// user's sockets close at once); palaverctl backup while messages are written.
#include "AccountsSupport.h"
#include "ClusterServices.h"
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/File.h>
#include <Poco/TemporaryFile.h>
#include <Poco/Thread.h>
#include <cppunit/extensions/HelperMacros.h>
#include <atomic>
#include <mutex>
#include <thread>

using namespace Palaver::Testing;
using namespace Poco::Data::Keywords;

namespace {

HttpReply registerWith(TestServer& server, const std::string& name, const std::string& invite)
{
	HttpClient http(server.httpPort());
	return http.postJson("/register", "{\"username\":\"" + name + "\",\"password\":\"secret123\"" +
		(invite.empty() ? std::string() : ",\"invite\":\"" + invite + "\"") + "}");
}

int loginStatus(TestServer& server, const std::string& name, const std::string& password, std::string* code = nullptr)
{
	HttpClient http(server.httpPort());
	HttpReply reply = http.postJson("/login", "{\"username\":\"" + name + "\",\"password\":\"" + password + "\"}");
	if (code) *code = reply.errorCode();
	return reply.status;
}

} // namespace

class AdminTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(AdminTest);
	CPPUNIT_TEST(testRegistrationClosed);
	CPPUNIT_TEST(testInvites);
	CPPUNIT_TEST(testDisableAndEnable);
	CPPUNIT_TEST(testDeleteAndResetPassword);
	CPPUNIT_TEST(testBackupWhileWriting);
	CPPUNIT_TEST_SUITE_END();

public:
	void testRegistrationClosed()
	{
		auto server = startWsServer({"--auth.registration=closed"});
		HttpReply reply = registerWith(*server, "nobody", "");
		CPPUNIT_ASSERT_EQUAL(403, reply.status);
		CPPUNIT_ASSERT_EQUAL(std::string("registration_closed"), reply.errorCode());
	}

	void testInvites()
	{
		auto server = startWsServer({"--auth.registration=invite"});
		CPPUNIT_ASSERT_EQUAL(std::string("invite_invalid"), registerWith(*server, "no-code", "").errorCode());
		CPPUNIT_ASSERT_EQUAL(403, registerWith(*server, "bad-code", "0123456789abcdef01234567").status);

		const std::string created = ctlOk(*server, {"invite", "create", "--uses", "2"});
		const std::string code = created.substr(0, created.find('\n'));
		CPPUNIT_ASSERT_EQUAL(std::size_t(24), code.size());
		CPPUNIT_ASSERT_EQUAL(201, registerWith(*server, "invited-1", code).status);
		// A registration that fails (a taken name) uses nothing up.
		CPPUNIT_ASSERT_EQUAL(409, registerWith(*server, "invited-1", code).status);
		CPPUNIT_ASSERT_EQUAL(201, registerWith(*server, "invited-2", code).status);
		HttpReply usedUp = registerWith(*server, "invited-3", code);
		CPPUNIT_ASSERT_EQUAL(403, usedUp.status);
		CPPUNIT_ASSERT_EQUAL(std::string("invite_invalid"), usedUp.errorCode());

		const std::string shortLived = ctlOk(*server, {"invite", "create", "--expires", "1s"});
		Poco::Thread::sleep(1500);
		CPPUNIT_ASSERT_EQUAL(403, registerWith(*server, "too-late", shortLived.substr(0, 24)).status);

		std::string output;
		CPPUNIT_ASSERT_EQUAL(1, ctl(*server, {"invite", "create", "--uses", "0"}, output));
		CPPUNIT_ASSERT_EQUAL(1, ctl(*server, {"invite", "create", "--expires", "soon"}, output));
	}

	void testDisableAndEnable()
	{
		auto server = startWsServer();
		Account a = registerAccount(*server, "disabled");
		Account b = registerAccount(*server, "bystander");
		auto socket = rawSocket(*server, a.token);
		auto other = connectAs(*server, b);  // another user's socket stays

		const Poco::Timestamp started;
		socket->sendText(chatFrame(b.id, "racing the disable"));
		const std::string said = ctlOk(*server, {"users", "disable", a.name});
		CPPUNIT_ASSERT(said.find("disabled") != std::string::npos);
		socket->sendText(chatFrame(b.id, "after the disable"));
		assertNothingStoredAfterEnd(*server, *socket, b, a.id, "racing the disable", "after the disable");
		CPPUNIT_ASSERT(started.elapsed() < 1500000);
		CPPUNIT_ASSERT_EQUAL(401, call(*server, a.token, "GET", "/me").status);
		std::string code;
		CPPUNIT_ASSERT_EQUAL(403, loginStatus(*server, a.name, "secret123", &code));
		CPPUNIT_ASSERT_EQUAL(std::string("account_disabled"), code);
		CPPUNIT_ASSERT(ctlOk(*server, {"users", "list"}).find(a.name + "\tdisabled") != std::string::npos);

		ctlOk(*server, {"users", "enable", a.name});
		CPPUNIT_ASSERT_EQUAL(200, loginStatus(*server, a.name, "secret123"));
		CPPUNIT_ASSERT(ctlOk(*server, {"users", "list"}).find(a.name + "\tenabled") != std::string::npos);

		std::string output;
		CPPUNIT_ASSERT_EQUAL(1, ctl(*server, {"users", "disable", "no-such-user"}, output));
		CPPUNIT_ASSERT(output.find("no user named") != std::string::npos);
		CPPUNIT_ASSERT_EQUAL(1, ctl(*server, {"users", "frobnicate"}, output));
		CPPUNIT_ASSERT(output.find("users disable NAME") != std::string::npos);
		CPPUNIT_ASSERT_EQUAL(200, call(*server, b.token, "GET", "/me").status);

		// A service account: listed like anyone, no log-in.
		CPPUNIT_ASSERT(ctlOk(*server, {"users", "add-service", "helperbot"}).find("service account helperbot (id ") == 0);
		CPPUNIT_ASSERT(ctlOk(*server, {"users", "list"}).find("\thelperbot\tenabled") != std::string::npos);
		CPPUNIT_ASSERT_EQUAL(401, loginStatus(*server, "helperbot", "secret123"));
		CPPUNIT_ASSERT_EQUAL(1, ctl(*server, {"users", "add-service", a.name}, output));
		CPPUNIT_ASSERT_MESSAGE(output, output.find("a user with a password has this name") != std::string::npos);
	}

	void testDeleteAndResetPassword()
	{
		auto server = startWsServer();
		Account a = registerAccount(*server, "reset");
		Account b = registerAccount(*server, "gone");
		Account c = registerAccount(*server, "witness");
		auto aSocket = rawSocket(*server, a.token);
		auto bSocket = rawSocket(*server, b.token);

		aSocket->sendText(chatFrame(c.id, "racing the reset"));
		const std::string said = ctlOk(*server, {"users", "reset-password", a.name});
		const std::string password = said.substr(said.rfind(' ') + 1, 24);
		aSocket->sendText(chatFrame(c.id, "after the reset"));
		assertNothingStoredAfterEnd(*server, *aSocket, c, a.id, "racing the reset", "after the reset");
		CPPUNIT_ASSERT_EQUAL(401, loginStatus(*server, a.name, "secret123"));
		CPPUNIT_ASSERT_EQUAL(200, loginStatus(*server, a.name, password));
		CPPUNIT_ASSERT(server->output().find(password) == std::string::npos);

		bSocket->sendText(chatFrame(c.id, "racing the deletion"));
		ctlOk(*server, {"users", "delete", b.name});
		bSocket->sendText(chatFrame(c.id, "after the deletion"));
		assertNothingStoredAfterEnd(*server, *bSocket, c, b.id, "racing the deletion", "after the deletion");
		CPPUNIT_ASSERT_EQUAL(401, loginStatus(*server, b.name, "secret123"));
		CPPUNIT_ASSERT(ctlOk(*server, {"users", "list"}).find(b.name) == std::string::npos);
	}

	void testBackupWhileWriting()
	{
		auto server = startWsServer();
		Account a = registerAccount(*server, "writer");
		Account b = registerAccount(*server, "reader");
		std::atomic<bool> writing{true};
		std::mutex mutex;
		std::vector<Poco::Int64> acknowledged;
		std::thread writer([&]
		{
			HttpClient http(server->httpPort());
			http.setBearer(a.token);
			for (int i = 0; writing && i < 100000; ++i)
			{
				HttpReply reply = http.postJson("/post/touser/" + std::to_string(b.id), "{\"text\":\"message " + std::to_string(i) + "\"}");
				if (reply.status != 201) continue;
				std::lock_guard<std::mutex> lock(mutex);
				acknowledged.push_back(reply.json()->getValue<Poco::Int64>("id"));
			}
		});
		Poco::Thread::sleep(300);
		std::size_t beforeBackup = 0;
		{
			std::lock_guard<std::mutex> lock(mutex);
			beforeBackup = acknowledged.size();
		}
		const std::string file = Poco::TemporaryFile::tempName() + ".db";
		Poco::TemporaryFile::registerForDeletion(file);
		Poco::TemporaryFile::registerForDeletion(file + ".files");
		const std::string said = ctlOk(*server, {"backup", file});
		Poco::Thread::sleep(200);
		writing = false;
		writer.join();
		CPPUNIT_ASSERT(beforeBackup > 0);
		CPPUNIT_ASSERT_MESSAGE(said, Poco::File(file).exists());
		std::string output;
		CPPUNIT_ASSERT_EQUAL(1, ctl(*server, {"backup", file}, output));  // never overwritten

		// Restore (docs/DEPLOYMENT.md): the stored files become a new server's
		// state folder, the database its database.
		const std::string restored = Poco::TemporaryFile::tempName();
		Poco::TemporaryFile::registerForDeletion(restored);
		Poco::File(file + ".files").copyTo(restored);
		TestServer::Options options;
		options.arguments = {"--auth.enabled=true", "--messages.enabled=true", "--ws.enabled=false", "--contacts.enabled=false", "--web.enabled=false"};
		options.stateDir = restored;
		const std::string postgreSQL = ClusterServices::postgreSQLOverride();
		const std::string restoredDatabase = "palaver_restored_" + std::to_string(Poco::Process::id());
		if (postgreSQL.empty())
		{
			Poco::Data::SQLite::Connector::registerConnector();
			Poco::Data::Session check("SQLite", file);
			std::string integrity;
			check << "PRAGMA integrity_check", into(integrity), now;
			CPPUNIT_ASSERT_EQUAL(std::string("ok"), integrity);
			Poco::File(file).copyTo(restored + "/palaver.db");
		}
		else
		{
			// pg_restore reads the whole archive and stops at the first error.
			const std::string connection = ClusterServices::createDatabase(postgreSQL, restoredDatabase);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(output, 0,
				runProgram("pg_restore", {"--no-owner", "--exit-on-error", "--dbname=" + connection, file}, output));
			options.arguments.push_back("--database.connector=postgresql");
			options.arguments.push_back("--database.connection=" + connection);
		}
		{
			TestServer copy(options);
			copy.start();
			HttpReply history = call(copy, b.token, "GET", "/messages/from/" + std::to_string(a.id));
			CPPUNIT_ASSERT_EQUAL_MESSAGE(history.body, 200, history.status);
			std::set<Poco::Int64> present;
			auto messages = history.jsonArray();
			for (std::size_t i = 0; i < messages->size(); ++i) present.insert(messages->getObject(static_cast<unsigned>(i))->getValue<Poco::Int64>("id"));
			for (std::size_t i = 0; i < beforeBackup; ++i)
				CPPUNIT_ASSERT_MESSAGE(std::to_string(acknowledged[i]), present.count(acknowledged[i]) == 1);
		}
		if (!postgreSQL.empty()) ClusterServices::dropDatabase(postgreSQL, restoredDatabase);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(AdminTest);
