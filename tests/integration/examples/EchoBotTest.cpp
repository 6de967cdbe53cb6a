// The example bot (examples/echo-bot) loaded into the real palaverd: its
// service account, created through the SDK, answers a direct message through
// the work queue and postAsync(), and nobody can log in as it.
#include "HttpClient.h"
#include "TestServer.h"
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/JSON/Array.h>
#include <Poco/TemporaryFile.h>
#include <Poco/Thread.h>
#include <cppunit/extensions/HelperMacros.h>
#include <memory>
#include <string>

using namespace Palaver::Testing;

class EchoBotTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(EchoBotTest);
	CPPUNIT_TEST(answersADirectMessageAsItsServiceAccount);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		_plugins = Poco::TemporaryFile::tempName();
		Poco::File(_plugins).createDirectories();
		{
			Poco::FileOutputStream auth(_plugins + "/10-auth.ini");
			auth << "[auth]\nlibrary = palaver-auth\nenabled = true\n";
			Poco::FileOutputStream messages(_plugins + "/30-messages.ini");
			messages << "[messages]\nlibrary = palaver-messages\nenabled = true\n";
			Poco::FileOutputStream bot(_plugins + "/70-echobot.ini");
			bot << "[echobot]\nlibrary = " EXAMPLES_DIR "/palaver-echobot.so\nenabled = true\naccount = parrot\nprefix = you said:\n";
		}
		TestServer::Options options;
		options.pluginsConfigDir = _plugins;
		options.arguments = {"--auth.password_opslimit=1", "--auth.password_memlimit=8192"};
		_server = std::make_unique<TestServer>(options);
		_server->start();
	}

	void tearDown() override
	{
		_server.reset();
		Poco::File(_plugins).remove(true);
	}

	void answersADirectMessageAsItsServiceAccount()
	{
		HttpClient ana(_server->httpPort());
		HttpReply registered = ana.registerUser("ana");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(registered.body, 201, registered.status);
		ana.setBearer(registered.json()->getValue<std::string>("token"));

		HttpReply state = ana.get("/echobot");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(state.body, 200, state.status);
		CPPUNIT_ASSERT_EQUAL(std::string("parrot"), state.json()->getValue<std::string>("account"));
		const Poco::Int64 botId = state.json()->getValue<Poco::Int64>("accountId");
		CPPUNIT_ASSERT(botId > 0);

		HttpReply sent = ana.postForm("/post/touser/" + std::to_string(botId), {{"text", "hello bot"}});
		CPPUNIT_ASSERT_EQUAL_MESSAGE(sent.body, 201, sent.status);
		std::string texts;
		for (int attempt = 0; attempt < 200; ++attempt)
		{
			HttpReply chat = ana.get("/messages/from/" + std::to_string(botId));
			CPPUNIT_ASSERT_EQUAL_MESSAGE(chat.body, 200, chat.status);
			const auto list = chat.jsonArray();
			texts.clear();
			for (std::size_t i = 0; i < list->size(); ++i)
			{
				const auto message = list->getObject(i);
				texts += (i ? "|" : "") + message->getValue<std::string>("text") + "@" + message->getValue<std::string>("fromUserId");
			}
			if (list->size() >= 2) break;
			Poco::Thread::sleep(50);
		}
		CPPUNIT_ASSERT_EQUAL("hello bot@" + registered.json()->getObject("user")->getValue<std::string>("id")
			+ "|you said: hello bot@" + std::to_string(botId), texts);
		// The bot counts its answer in postAsync()'s callback, which may run a
		// moment after the answer can be read.
		int answered = 0;
		for (int attempt = 0; attempt < 100 && answered == 0; ++attempt)
		{
			answered = ana.get("/echobot").json()->getValue<int>("answered");
			if (answered == 0) Poco::Thread::sleep(50);
		}
		CPPUNIT_ASSERT_EQUAL(1, answered);

		// A service account: no password, so no log-in.
		HttpClient anyone(_server->httpPort());
		Poco::JSON::Object login;
		login.set("username", "parrot");
		login.set("password", "any guess at all");
		CPPUNIT_ASSERT_EQUAL(401, anyone.postJson("/login", login).status);
	}

private:
	std::string _plugins;
	std::unique_ptr<TestServer> _server;
};

CPPUNIT_TEST_SUITE_REGISTRATION(EchoBotTest);
