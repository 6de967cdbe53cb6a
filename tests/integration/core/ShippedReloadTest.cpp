// The shipped plugins that declare themselves reloadable (contacts, web, attachments) are
// reloaded in the real palaverd; one that others depend on while they cannot
// stop (auth) is refused with the reason. Needs every shipped plugin built.
#include "HttpClient.h"
#include "TestServer.h"
#include <cppunit/extensions/HelperMacros.h>

using namespace Palaver::Testing;

class ShippedReloadTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ShippedReloadTest);
	CPPUNIT_TEST(shippedPluginsReloadInTheRealServer);
	CPPUNIT_TEST_SUITE_END();

public:
	void shippedPluginsReloadInTheRealServer()
	{
		TestServer server;  // the in-tree plugins.d: every shipped plugin
		server.start();
		HttpClient client(server.httpPort());
		CPPUNIT_ASSERT_EQUAL(201, client.registerUser("rita").status);
		CPPUNIT_ASSERT_EQUAL(200, client.get("/contacts").status);
		std::string output;
		CPPUNIT_ASSERT_EQUAL_MESSAGE(output, 0, server.palaverctl({"plugins", "reload", "contacts"}, output));
		CPPUNIT_ASSERT_EQUAL(200, client.get("/contacts").status);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(output, 0, server.palaverctl({"plugins", "reload", "web"}, output));
		CPPUNIT_ASSERT_EQUAL(200, client.get("/").status);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(output, 0, server.palaverctl({"plugins", "reload", "attachments"}, output));
		CPPUNIT_ASSERT_MESSAGE(output, output.find("plugin 'attachments' reloaded") != std::string::npos);
		// auth is needed by plugins that hold WebSocket connections or threads: a restart's job.
		CPPUNIT_ASSERT(server.palaverctl({"plugins", "reload", "auth"}, output) != 0);
		CPPUNIT_ASSERT_MESSAGE(output, output.find("restart palaverd instead") != std::string::npos);
		CPPUNIT_ASSERT_EQUAL(200, client.get("/contacts").status);
	}

private:
};

CPPUNIT_TEST_SUITE_REGISTRATION(ShippedReloadTest);
