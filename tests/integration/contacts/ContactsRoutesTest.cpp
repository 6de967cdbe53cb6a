// Integration tests of the contacts plugin against a real palaverd.
#include "HttpClient.h"
#include "TestServer.h"
#include <cppunit/extensions/HelperMacros.h>
#include <memory>
#include <string>
#include <vector>

using Palaver::Testing::HttpClient;
using Palaver::Testing::HttpReply;
using Palaver::Testing::TestServer;

class ContactsRoutesTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ContactsRoutesTest);
	CPPUNIT_TEST(testOwnContacts);
	CPPUNIT_TEST(testForeignId);
	CPPUNIT_TEST(testBadIds);
	CPPUNIT_TEST(testUnauthenticated);
	CPPUNIT_TEST(testAlone);
	CPPUNIT_TEST(testNewUserAppears);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		TestServer::Options options;
		// Quick password hashing for tests; production keeps the interactive limits.
		options.arguments = {
			"--auth.enabled=true", "--contacts.enabled=true", "--messages.enabled=false",
			"--ws.enabled=false", "--web.enabled=false",
			"--auth.password_opslimit=1", "--auth.password_memlimit=8192"};
		_server.reset(new TestServer(options));
		_server->start();
	}

	void tearDown() override
	{
		_server.reset();
	}

	void testOwnContacts()
	{
		// Registered out of name order.
		HttpClient carl = client();
		HttpClient ana = client();
		HttpClient bob = client();
		const Poco::Int64 carlId = registerAs(carl, "carl", "soy Carl");
		const Poco::Int64 anaId = registerAs(ana, "ana", "soy Ana");
		const Poco::Int64 bobId = registerAs(bob, "bob", "");

		HttpReply reply = ana.get("/contacts/" + std::to_string(anaId));
		CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 200, reply.status);
		auto contacts = reply.jsonArray();
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), contacts->size());
		auto first = contacts->getObject(0);
		auto second = contacts->getObject(1);
		CPPUNIT_ASSERT_EQUAL(bobId, first->getValue<Poco::Int64>("id"));
		CPPUNIT_ASSERT_EQUAL(std::string("bob"), first->getValue<std::string>("userName"));
		CPPUNIT_ASSERT_EQUAL(carlId, second->getValue<Poco::Int64>("id"));
		CPPUNIT_ASSERT_EQUAL(std::string("carl"), second->getValue<std::string>("userName"));
		CPPUNIT_ASSERT_EQUAL(std::string("soy Carl"), second->getValue<std::string>("info"));
		CPPUNIT_ASSERT(second->has("image") && second->isNull("image"));
		CPPUNIT_ASSERT(!second->has("password") && !second->has("passwordHash"));

		// GET /contacts answers the same for the caller.
		HttpReply same = ana.get("/contacts");
		CPPUNIT_ASSERT_EQUAL(200, same.status);
		CPPUNIT_ASSERT_EQUAL(reply.body, same.body);

		HttpReply forCarl = carl.get("/contacts");
		auto carlsContacts = forCarl.jsonArray();
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), carlsContacts->size());
		CPPUNIT_ASSERT_EQUAL(anaId, carlsContacts->getObject(0)->getValue<Poco::Int64>("id"));
		CPPUNIT_ASSERT_EQUAL(bobId, carlsContacts->getObject(1)->getValue<Poco::Int64>("id"));
	}

	void testForeignId()
	{
		HttpClient ana = client();
		HttpClient bob = client();
		registerAs(ana, "ana", "");
		const Poco::Int64 bobId = registerAs(bob, "bob", "");
		HttpReply reply = ana.get("/contacts/" + std::to_string(bobId));
		CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 403, reply.status);
		CPPUNIT_ASSERT_EQUAL(std::string("forbidden"), reply.errorCode());
		// An id nobody has is not the caller either.
		CPPUNIT_ASSERT_EQUAL(403, ana.get("/contacts/999999").status);
	}

	void testBadIds()
	{
		HttpClient ana = client();
		registerAs(ana, "ana", "");
		for (const std::string id: {"abc", "0", "-1", "1.5", "1e3", "99999999999999999999999", "%20"})
		{
			HttpReply reply = ana.get("/contacts/" + id);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(id, 404, reply.status);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(id, std::string("not_found"), reply.errorCode());
		}
		CPPUNIT_ASSERT_EQUAL(404, ana.get("/contacts/1/more").status);
	}

	void testUnauthenticated()
	{
		HttpClient ana = client();
		const Poco::Int64 anaId = registerAs(ana, "ana", "");
		HttpClient anonymous = client();
		HttpReply reply = anonymous.get("/contacts/" + std::to_string(anaId));
		CPPUNIT_ASSERT_EQUAL(401, reply.status);
		CPPUNIT_ASSERT_EQUAL(std::string("unauthorized"), reply.errorCode());
		CPPUNIT_ASSERT_EQUAL(401, anonymous.get("/contacts").status);
		anonymous.setBearer(std::string(64, '0'));
		CPPUNIT_ASSERT_EQUAL(401, anonymous.get("/contacts").status);
		// After log-out the token lists nothing.
		CPPUNIT_ASSERT_EQUAL(204, ana.request("POST", "/logout").status);
		CPPUNIT_ASSERT_EQUAL(401, ana.get("/contacts").status);
	}

	void testAlone()
	{
		HttpClient ana = client();
		const Poco::Int64 anaId = registerAs(ana, "ana", "");
		HttpReply reply = ana.get("/contacts/" + std::to_string(anaId));
		CPPUNIT_ASSERT_EQUAL(200, reply.status);
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), reply.jsonArray()->size());
	}

	void testNewUserAppears()
	{
		HttpClient ana = client();
		registerAs(ana, "ana", "");
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), ana.get("/contacts").jsonArray()->size());
		HttpClient zoe = client();
		const Poco::Int64 zoeId = registerAs(zoe, "zoe", "nueva");
		auto contacts = ana.get("/contacts").jsonArray();
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), contacts->size());
		CPPUNIT_ASSERT_EQUAL(zoeId, contacts->getObject(0)->getValue<Poco::Int64>("id"));
	}

private:
	HttpClient client()
	{
		return HttpClient(_server->httpPort());
	}

	Poco::Int64 registerAs(HttpClient& client, const std::string& name, const std::string& info)
	{
		HttpReply reply = client.registerUser(name, "secret123", info);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 201, reply.status);
		return reply.json()->getObject("user")->getValue<Poco::Int64>("id");
	}

	std::unique_ptr<TestServer> _server;
};

CPPUNIT_TEST_SUITE_REGISTRATION(ContactsRoutesTest);
