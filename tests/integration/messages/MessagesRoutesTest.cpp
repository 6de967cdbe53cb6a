// Integration tests of the messages plugin against a real palaverd, with the
// auth plugin for users and a probe plugin (probe/) that counts
// "message.stored" events and calls the MessageStore service.
#include "HttpClient.h"
#include "TestServer.h"
#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Path.h>
#include <Poco/StreamCopier.h>
#include <Poco/TemporaryFile.h>
#include <Poco/Thread.h>
#include <Poco/Timestamp.h>
#include <cppunit/extensions/HelperMacros.h>
#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

using Palaver::Testing::HttpClient;
using Palaver::Testing::HttpReply;
using Palaver::Testing::TestServer;

class MessagesRoutesTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(MessagesRoutesTest);
	CPPUNIT_TEST(testPostAndReadBothWays);
	CPPUNIT_TEST(testBodyEncodings);
	CPPUNIT_TEST(testTextValidation);
	CPPUNIT_TEST(testBodyErrors);
	CPPUNIT_TEST(testAuthenticationRequired);
	CPPUNIT_TEST(testCookieAndCrossSiteRequests);
	CPPUNIT_TEST(testUnknownUsersAndIds);
	CPPUNIT_TEST(testThirdUserSeesOnlyOwnConversation);
	CPPUNIT_TEST(testPaging);
	CPPUNIT_TEST(testPagingValidation);
	CPPUNIT_TEST(testMessageToOneself);
	CPPUNIT_TEST(testStoredEventPayload);
	CPPUNIT_TEST(testServiceForOtherPlugins);
	CPPUNIT_TEST(testPostingAsOthersIsDeclared);
	CPPUNIT_TEST(testConcurrentPosts);
	CPPUNIT_TEST(testCreatedOnlyOnceStored);
	CPPUNIT_TEST(testAnsweredMessagesSurviveACrash);
	CPPUNIT_TEST(testShutdownUnderLoadLosesNothingAnswered);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		// plugins.d as shipped, plus the probe.
		_pluginsDir.reset(new Poco::TemporaryFile);
		Poco::File(_pluginsDir->path()).createDirectories();
		for (Poco::DirectoryIterator it(TestServer::sourceDir() + "/plugins.d"), end; it != end; ++it)
		{
			if (it.path().getExtension() == "ini")
				it->copyTo(_pluginsDir->path());
		}
		Poco::FileOutputStream probe(_pluginsDir->path() + "/90-messagesprobe.ini");
		probe << "[messagesprobe]\nlibrary = " MESSAGES_PROBE_LIBRARY "\nenabled = true\npost_as = any\n";
		probe.close();
		start();
	}

	void tearDown() override
	{
		_server.reset();
		_keepState.reset();
		_pluginsDir.reset();
	}

	void testPostAndReadBothWays()
	{
		HttpClient ana = client();
		HttpClient pepe = client();
		const Poco::Int64 anaId = registerAs(ana, "ana");
		const Poco::Int64 pepeId = registerAs(pepe, "Pepe");

		HttpReply first = pepe.postForm(postPath(anaId), {{"text", "hola"}});
		CPPUNIT_ASSERT_EQUAL_MESSAGE(first.body, 201, first.status);
		auto message = first.json();
		CPPUNIT_ASSERT(message->getValue<Poco::Int64>("id") > 0);
		CPPUNIT_ASSERT_EQUAL(pepeId, message->getValue<Poco::Int64>("fromUserId"));
		CPPUNIT_ASSERT_EQUAL(anaId, message->getValue<Poco::Int64>("toUserId"));
		CPPUNIT_ASSERT_EQUAL(std::string("hola"), message->getValue<std::string>("text"));
		CPPUNIT_ASSERT_EQUAL(std::string("Pepe"), message->getValue<std::string>("fromUserName"));
		auto time = message->getObject("timestamp");
		CPPUNIT_ASSERT(time);
		const std::string date = time->getValue<std::string>("date");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(date, std::size_t(26), date.size());  // 2023-01-17 10:42:44.000000
		CPPUNIT_ASSERT_EQUAL(' ', date[10]);
		CPPUNIT_ASSERT_EQUAL('.', date[19]);
		CPPUNIT_ASSERT_EQUAL(3, time->getValue<int>("timezone_type"));
		CPPUNIT_ASSERT_EQUAL(std::string("UTC"), time->getValue<std::string>("timezone"));

		HttpReply second = ana.postJson(postPath(pepeId), R"({"text": "qué tal \ud83d\ude00"})");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(second.body, 201, second.status);
		CPPUNIT_ASSERT(second.json()->getValue<Poco::Int64>("id") > message->getValue<Poco::Int64>("id"));

		// Both sides read the same conversation, oldest first.
		for (HttpClient* reader: {&ana, &pepe})
		{
			const Poco::Int64 other = reader == &ana ? pepeId : anaId;
			HttpReply read = reader->get("/messages/from/" + std::to_string(other));
			CPPUNIT_ASSERT_EQUAL_MESSAGE(read.body, 200, read.status);
			CPPUNIT_ASSERT(read.header("Content-Type").find("application/json") == 0);
			auto list = read.jsonArray();
			CPPUNIT_ASSERT_EQUAL(std::size_t(2), list->size());
			CPPUNIT_ASSERT_EQUAL(std::string("hola"), list->getObject(0)->getValue<std::string>("text"));
			CPPUNIT_ASSERT_EQUAL(std::string("qu\xC3\xA9 tal \xF0\x9F\x98\x80"), list->getObject(1)->getValue<std::string>("text"));
			CPPUNIT_ASSERT_EQUAL(std::string("ana"), list->getObject(1)->getValue<std::string>("fromUserName"));
			CPPUNIT_ASSERT_EQUAL(date, list->getObject(0)->getObject("timestamp")->getValue<std::string>("date"));
		}
	}

	void testBodyEncodings()
	{
		HttpClient ana = client();
		HttpClient bob = client();
		registerAs(ana, "ana");
		const Poco::Int64 bobId = registerAs(bob, "bob");

		// A Symfony form's field name, form-encoded and as nested JSON.
		CPPUNIT_ASSERT_EQUAL(201, ana.postForm(postPath(bobId), {{"message[text]", "symfony form"}}).status);
		CPPUNIT_ASSERT_EQUAL(201, ana.postJson(postPath(bobId), R"({"message": {"text": "nested json"}})").status);
		CPPUNIT_ASSERT_EQUAL(201, ana.postJson(postPath(bobId), R"({"text": "plain json"})").status);
		const std::string boundary = "XyZzY";
		const std::string multipart = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nmultipart\r\n--" + boundary + "--\r\n";
		CPPUNIT_ASSERT_EQUAL(201, ana.request("POST", postPath(bobId), multipart, "multipart/form-data; boundary=" + boundary).status);
		CPPUNIT_ASSERT_EQUAL(std::string("symfony form|nested json|plain json|multipart"), texts(bob.get("/messages/from/" + std::to_string(registeredId(ana)))));
	}

	void testTextValidation()
	{
		HttpClient ana = client();
		HttpClient bob = client();
		registerAs(ana, "ana");
		const Poco::Int64 bobId = registerAs(bob, "bob");
		const std::string path = postPath(bobId);

		assertError(ana.postForm(path, {{"text", ""}}), 400, "text");
		assertError(ana.postForm(path, {{"other", "x"}}), 400, "text");
		assertError(ana.request("POST", path, "", "application/x-www-form-urlencoded"), 400, "text");
		assertError(ana.postForm(path, {{"text", "  \t\n "}}), 400, "text");
		assertError(ana.postForm(path, {{"text", std::string(4097, 'a')}}), 400, "text");
		CPPUNIT_ASSERT_EQUAL(201, ana.postForm(path, {{"text", std::string(4096, 'a')}}).status);
		// 4096 characters of two bytes each are 4096 characters, not 8192.
		std::string accents;
		for (int i = 0; i < 4096; ++i) accents += "\xC3\xA9";
		CPPUNIT_ASSERT_EQUAL(201, ana.postForm(path, {{"text", accents}}).status);
		assertError(ana.postForm(path, {{"text", accents + "\xC3\xA9"}}), 400, "text");
		// Invalid UTF-8, form-encoded and in JSON.
		assertError(ana.request("POST", path, "text=abc%FF", "application/x-www-form-urlencoded"), 400, "");
		assertError(ana.request("POST", path, "{\"text\": \"abc\xFF\"}", "application/json"), 400, "");
		assertError(ana.request("POST", path, "text=%C0%AF", "application/x-www-form-urlencoded"), 400, "");
		// JSON fields of the wrong type are refused, never turned into text.
		for (const auto& body: std::vector<std::pair<std::string, std::string>>{{"{\"text\": true}", "text"},
			{"{\"text\": 12345}", "text"}, {"{\"text\": {\"a\": \"b\"}}", "text"}, {"{\"message\": {\"text\": 1.5}}", "message[text]"}})
		{
			const HttpReply reply = ana.request("POST", path, body.first, "application/json");
			assertError(reply, 400, body.second);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(body.first, std::string("validation_failed"), reply.errorCode());
		}
		// A repeated key is refused (which one would count?).
		assertError(ana.request("POST", path, "{\"text\": \"a\", \"text\": \"b\"}", "application/json"), 400, "");
		// Nothing of that was stored.
		HttpReply read = bob.get("/messages/from/" + std::to_string(registeredId(ana)));
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), read.jsonArray()->size());
	}

	void testBodyErrors()
	{
		HttpClient ana = client();
		HttpClient bob = client();
		registerAs(ana, "ana");
		const Poco::Int64 bobId = registerAs(bob, "bob");
		assertError(ana.request("POST", postPath(bobId), "text=hola", "text/plain"), 415, "");
		assertError(ana.request("POST", postPath(bobId), "{\"text\": ", "application/json"), 400, "");
		assertError(ana.request("POST", postPath(bobId), "[\"hola\"]", "application/json"), 400, "");
		// Refused from its Content-Length alone, before any of it is read.
		CPPUNIT_ASSERT_EQUAL(413, announceBody(postPath(bobId), _tokens.at(&ana), 70000));
		// Just under the limit is read, and then refused for its text.
		assertError(ana.postForm(postPath(bobId), {{"text", std::string(60000, 'a')}}), 400, "text");
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), bob.get("/messages/from/" + std::to_string(registeredId(ana))).jsonArray()->size());
	}

	void testAuthenticationRequired()
	{
		HttpClient ana = client();
		const Poco::Int64 anaId = registerAs(ana, "ana");
		HttpClient anonymous = client();
		assertError(anonymous.get("/messages/from/" + std::to_string(anaId)), 401, "");
		assertError(anonymous.postForm(postPath(anaId), {{"text", "hola"}}), 401, "");
		anonymous.setBearer("not-a-token");
		assertError(anonymous.get("/messages/from/" + std::to_string(anaId)), 401, "");
		assertError(anonymous.postForm(postPath(anaId), {{"text", "hola"}}), 401, "");
		// Unauthenticated requests learn nothing about ids either.
		assertError(anonymous.get("/messages/from/999999"), 401, "");
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), ana.get("/messages/from/" + std::to_string(anaId)).jsonArray()->size());
	}

	void testCookieAndCrossSiteRequests()
	{
		HttpClient ana = client();
		HttpClient bob = client();
		registerAs(ana, "ana");
		const Poco::Int64 bobId = registerAs(bob, "bob");
		// A browser: the session cookie, no Bearer.
		HttpClient browser = client();
		browser.setCookie("palaver_session=" + _tokens.at(&ana));
		Poco::Net::NameValueCollection sameOrigin;
		sameOrigin.set("Origin", "http://127.0.0.1:" + std::to_string(_server->httpPort()));
		CPPUNIT_ASSERT_EQUAL(201, browser.request("POST", postPath(bobId), "text=from+the+web+client", "application/x-www-form-urlencoded", sameOrigin).status);
		// Another site making the browser post with its cookie: refused (CSRF).
		Poco::Net::NameValueCollection evil;
		evil.set("Origin", "http://evil.example");
		assertError(browser.request("POST", postPath(bobId), "text=forged", "application/x-www-form-urlencoded", evil), 403, "");
		CPPUNIT_ASSERT_EQUAL(std::string("from the web client"), texts(bob.get("/messages/from/" + std::to_string(registeredId(ana)))));
	}

	void testUnknownUsersAndIds()
	{
		HttpClient ana = client();
		registerAs(ana, "ana");
		assertError(ana.postForm(postPath(999999), {{"text", "hola"}}), 404, "");
		assertError(ana.get("/messages/from/999999"), 404, "");
		for (const std::string id: {"0", "-1", "abc", "1.5", "99999999999999999999999"})
		{
			assertError(ana.get("/messages/from/" + id), 404, "");
			assertError(ana.postForm("/post/touser/" + id, {{"text", "hola"}}), 404, "");
		}
		assertError(ana.get("/messages/from/"), 404, "");
		// "/messages/from" has the shape of PATCH and DELETE /messages/{id}.
		assertError(ana.get("/messages/from"), 405, "");
		HttpReply wrongMethod = ana.request("DELETE", "/messages/from/1");
		CPPUNIT_ASSERT(wrongMethod.status == 405 || wrongMethod.status == 404);
	}

	void testThirdUserSeesOnlyOwnConversation()
	{
		HttpClient a = client();
		HttpClient b = client();
		HttpClient c = client();
		const Poco::Int64 aId = registerAs(a, "alice");
		const Poco::Int64 bId = registerAs(b, "bob");
		const Poco::Int64 cId = registerAs(c, "carol");
		CPPUNIT_ASSERT_EQUAL(201, a.postForm(postPath(bId), {{"text", "secret a->b"}}).status);
		CPPUNIT_ASSERT_EQUAL(201, b.postForm(postPath(aId), {{"text", "secret b->a"}}).status);

		// Carol names Bob (or Alice): she gets her own conversation with them, empty.
		CPPUNIT_ASSERT_EQUAL(std::string(""), texts(c.get("/messages/from/" + std::to_string(bId))));
		CPPUNIT_ASSERT_EQUAL(std::string(""), texts(c.get("/messages/from/" + std::to_string(aId))));
		CPPUNIT_ASSERT_EQUAL(201, c.postForm(postPath(bId), {{"text", "c->b"}}).status);
		CPPUNIT_ASSERT_EQUAL(201, b.postForm(postPath(cId), {{"text", "b->c"}}).status);
		CPPUNIT_ASSERT_EQUAL(std::string("c->b|b->c"), texts(c.get("/messages/from/" + std::to_string(bId))));
		CPPUNIT_ASSERT_EQUAL(std::string("c->b|b->c"), texts(c.get("/messages/from/" + std::to_string(bId) + "?limit=10")));
		CPPUNIT_ASSERT_EQUAL(std::string("secret a->b|secret b->a"), texts(a.get("/messages/from/" + std::to_string(bId))));
		CPPUNIT_ASSERT_EQUAL(std::string("secret a->b|secret b->a"), texts(b.get("/messages/from/" + std::to_string(aId))));
		CPPUNIT_ASSERT_EQUAL(std::string("c->b|b->c"), texts(b.get("/messages/from/" + std::to_string(cId))));
		// Carol cannot post as someone else either: the sender is always the caller.
		HttpReply sent = c.postJson(postPath(aId), R"({"text": "hi", "fromUserId": )" + std::to_string(bId) + "}");
		CPPUNIT_ASSERT_EQUAL(201, sent.status);
		CPPUNIT_ASSERT_EQUAL(cId, sent.json()->getValue<Poco::Int64>("fromUserId"));
		CPPUNIT_ASSERT_EQUAL(std::string("secret a->b|secret b->a"), texts(a.get("/messages/from/" + std::to_string(bId))));
	}

	void testPaging()
	{
		HttpClient ana = client();
		HttpClient bob = client();
		HttpClient carl = client();
		const Poco::Int64 anaId = registerAs(ana, "ana");
		const Poco::Int64 bobId = registerAs(bob, "bob");
		registerAs(carl, "carl");
		for (int i = 0; i < 25; ++i)
		{
			HttpClient& sender = i % 2 ? bob : ana;
			CPPUNIT_ASSERT_EQUAL(201, sender.postForm(postPath(i % 2 ? anaId : bobId), {{"text", std::to_string(i)}}).status);
			if (i % 5 == 0)  // other conversations interleaved
				CPPUNIT_ASSERT_EQUAL(201, carl.postForm(postPath(anaId), {{"text", "carl " + std::to_string(i)}}).status);
		}
		const std::string base = "/messages/from/" + std::to_string(bobId);
		CPPUNIT_ASSERT_EQUAL(std::string("15|16|17|18|19|20|21|22|23|24"), texts(ana.get(base + "?limit=10")));
		CPPUNIT_ASSERT_EQUAL(std::string("24"), texts(ana.get(base + "?limit=1")));

		// Walk back a page at a time with before = the oldest id seen.
		std::vector<std::string> seen;
		std::string before;
		for (int round = 0; round < 10; ++round)
		{
			auto page = ana.get(base + "?limit=10" + before).jsonArray();
			if (page->size() == 0) break;
			CPPUNIT_ASSERT(page->size() <= 10);
			for (std::size_t i = 1; i < page->size(); ++i)
				CPPUNIT_ASSERT(page->getObject(i - 1)->getValue<Poco::Int64>("id") < page->getObject(i)->getValue<Poco::Int64>("id"));
			for (std::size_t i = page->size(); i > 0; --i)
				seen.push_back(page->getObject(i - 1)->getValue<std::string>("text"));
			before = "&before=" + std::to_string(page->getObject(0)->getValue<Poco::Int64>("id"));
		}
		CPPUNIT_ASSERT_EQUAL(std::size_t(25), seen.size());
		for (int i = 0; i < 25; ++i)
			CPPUNIT_ASSERT_EQUAL(std::to_string(24 - i), seen[i]);

		// before alone: everything older, oldest first.
		auto all = ana.get(base).jsonArray();
		CPPUNIT_ASSERT_EQUAL(std::size_t(25), all->size());
		const Poco::Int64 fourth = all->getObject(3)->getValue<Poco::Int64>("id");
		CPPUNIT_ASSERT_EQUAL(std::string("0|1|2"), texts(bob.get("/messages/from/" + std::to_string(anaId) + "?before=" + std::to_string(fourth))));
		CPPUNIT_ASSERT_EQUAL(std::string("1|2"), texts(bob.get("/messages/from/" + std::to_string(anaId) + "?before=" + std::to_string(fourth) + "&limit=2")));
		CPPUNIT_ASSERT_EQUAL(std::size_t(25), ana.get(base + "?limit=1000").jsonArray()->size());
	}

	void testPagingValidation()
	{
		HttpClient ana = client();
		HttpClient bob = client();
		registerAs(ana, "ana");
		const Poco::Int64 bobId = registerAs(bob, "bob");
		const std::string base = "/messages/from/" + std::to_string(bobId);
		for (const std::string limit: {"0", "1001", "-1", "abc", "10abc", "1e3", "99999999999999999999"})
			assertError(ana.get(base + "?limit=" + limit), 400, "limit");
		for (const std::string before: {"0", "-5", "abc", "99999999999999999999"})
			assertError(ana.get(base + "?limit=5&before=" + before), 400, "before");
		CPPUNIT_ASSERT_EQUAL(200, ana.get(base + "?limit=1000").status);
		CPPUNIT_ASSERT_EQUAL(200, ana.get(base + "?limit=1&before=1").status);
	}

	void testMessageToOneself()
	{
		HttpClient ana = client();
		const Poco::Int64 anaId = registerAs(ana, "ana");
		HttpReply sent = ana.postForm(postPath(anaId), {{"text", "note to self"}});
		CPPUNIT_ASSERT_EQUAL_MESSAGE(sent.body, 201, sent.status);
		CPPUNIT_ASSERT_EQUAL(anaId, sent.json()->getValue<Poco::Int64>("toUserId"));
		CPPUNIT_ASSERT_EQUAL(std::string("note to self"), texts(ana.get("/messages/from/" + std::to_string(anaId))));
		// Replay holds it once.
		CPPUNIT_ASSERT_EQUAL(std::string("note to self"), texts(ana.get("/test/messagesprobe/since?since=0")));
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(1), eventsAfter(ana, 1)->getValue<Poco::Int64>("events"));
	}

	void testStoredEventPayload()
	{
		HttpClient ana = client();
		HttpClient bob = client();
		registerAs(ana, "ana");
		const Poco::Int64 bobId = registerAs(bob, "bob");
		HttpReply sent = ana.postForm(postPath(bobId), {{"text", "published"}});
		CPPUNIT_ASSERT_EQUAL(201, sent.status);
		auto state = eventsAfter(ana, 1);
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(1), state->getValue<Poco::Int64>("events"));
		// The event carries exactly the message the sender was answered with.
		Poco::JSON::Parser parser;
		auto payload = parser.parse(state->getValue<std::string>("last")).extract<Poco::JSON::Object::Ptr>();
		auto answered = sent.json();
		for (const std::string key: {"id", "fromUserId", "toUserId", "text", "fromUserName"})
			CPPUNIT_ASSERT_EQUAL(answered->get(key).toString(), payload->get(key).toString());
		CPPUNIT_ASSERT_EQUAL(answered->getObject("timestamp")->getValue<std::string>("date"),
			payload->getObject("timestamp")->getValue<std::string>("date"));
		// Refused posts publish nothing.
		assertError(ana.postForm(postPath(bobId), {{"text", ""}}), 400, "text");
		assertError(ana.postForm(postPath(999999), {{"text", "x"}}), 404, "");
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(1), eventsAfter(ana, 1)->getValue<Poco::Int64>("events"));
	}

	void testServiceForOtherPlugins()
	{
		HttpClient ana = client();
		HttpClient bob = client();
		const Poco::Int64 anaId = registerAs(ana, "ana");
		const Poco::Int64 bobId = registerAs(bob, "bob");
		// MessageStore::post() validates exactly like the HTTP route.
		HttpReply viaService = ana.postForm("/test/messagesprobe/post/" + std::to_string(bobId), {{"text", "over the socket"}});
		CPPUNIT_ASSERT_EQUAL_MESSAGE(viaService.body, 201, viaService.status);
		assertError(ana.postForm("/test/messagesprobe/post/" + std::to_string(bobId), {{"text", " "}}), 400, "text");
		assertError(ana.postForm("/test/messagesprobe/post/" + std::to_string(bobId), {{"text", std::string(4097, 'x')}}), 400, "text");
		assertError(ana.postForm("/test/messagesprobe/post/999999", {{"text", "x"}}), 404, "");
		CPPUNIT_ASSERT_EQUAL(201, bob.postForm(postPath(anaId), {{"text", "over http"}}).status);
		CPPUNIT_ASSERT_EQUAL(std::string("over the socket|over http"), texts(bob.get("/messages/from/" + std::to_string(anaId))));
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(2), eventsAfter(ana, 2)->getValue<Poco::Int64>("events"));

		// MessageStore::since(): both directions, above the id, bounded.
		const Poco::Int64 firstId = viaService.json()->getValue<Poco::Int64>("id");
		CPPUNIT_ASSERT_EQUAL(std::string("over the socket|over http"), texts(bob.get("/test/messagesprobe/since?since=0")));
		CPPUNIT_ASSERT_EQUAL(std::string("over http"), texts(ana.get("/test/messagesprobe/since?since=" + std::to_string(firstId))));
		CPPUNIT_ASSERT_EQUAL(std::string("over the socket"), texts(ana.get("/test/messagesprobe/since?since=0&limit=1")));
	}

	/// Without post_as = any, a plugin posts only as its own service
	/// accounts (UserDirectory::serviceAccount()); anyone else is refused
	/// with Poco::NoPermissionException before anything is stored.
	void testPostingAsOthersIsDeclared()
	{
		_server.reset();
		start("", {"--messagesprobe.post_as=service"});
		HttpClient ana = client();
		HttpClient bob = client();
		registerAs(ana, "ana");
		const Poco::Int64 bobId = registerAs(bob, "bob");
		const std::string toBob = std::to_string(bobId);

		HttpReply asAna = ana.postForm("/test/messagesprobe/post/" + toBob, {{"text", "as ana"}});
		CPPUNIT_ASSERT_EQUAL_MESSAGE(asAna.body, 403, asAna.status);
		CPPUNIT_ASSERT_MESSAGE(asAna.body, asAna.body.find("plugin messagesprobe may not post as user") != std::string::npos);

		// Its own service account: allowed, both ways of posting.
		HttpReply own = ana.postForm("/test/messagesprobe/bot/" + toBob + "?own=1", {{"account", "probebot"}, {"text", "as the bot"}});
		CPPUNIT_ASSERT_EQUAL_MESSAGE(own.body, 201, own.status);
		CPPUNIT_ASSERT_EQUAL(std::string("probebot"), own.json()->getValue<std::string>("fromUserName"));
		HttpReply ownAsync = ana.postForm("/test/messagesprobe/bot/" + toBob + "?async=1", {{"account", "probebot"}, {"text", "later"}});
		CPPUNIT_ASSERT_EQUAL_MESSAGE(ownAsync.body, 202, ownAsync.status);

		// Someone else's account, found by name (here a user's): refused, postAsync() too.
		HttpReply other = ana.postForm("/test/messagesprobe/bot/" + toBob, {{"account", "ana"}, {"text", "x"}});
		CPPUNIT_ASSERT_EQUAL_MESSAGE(other.body, 403, other.status);
		HttpReply otherAsync = ana.postForm("/test/messagesprobe/bot/" + toBob + "?async=1", {{"account", "ana"}, {"text", "x"}});
		CPPUNIT_ASSERT_EQUAL_MESSAGE(otherAsync.body, 403, otherAsync.status);

		// Bob has the bot's two messages and nothing else.
		std::string seen;
		for (int attempt = 0; attempt < 100 && seen != "as the bot|later"; ++attempt)
		{
			seen = texts(bob.get("/test/messagesprobe/since?since=0"));
			if (seen != "as the bot|later") Poco::Thread::sleep(50);
		}
		CPPUNIT_ASSERT_EQUAL(std::string("as the bot|later"), seen);
	}

	void testConcurrentPosts()
	{
		const int clients = 8;
		const int perClient = 500;
		HttpClient receiver = client();
		const Poco::Int64 receiverId = registerAs(receiver, "receiver");
		std::vector<std::unique_ptr<HttpClient>> senders;
		std::vector<Poco::Int64> senderIds;
		for (int i = 0; i < clients; ++i)
		{
			senders.emplace_back(new HttpClient(client()));
			senderIds.push_back(registerAs(*senders.back(), "sender" + std::to_string(i)));
		}

		std::vector<std::vector<Poco::Int64>> ids(clients);
		std::atomic<int> failures{0};
		std::vector<std::string> firstFailure(clients);
		std::vector<std::thread> threads;
		for (int c = 0; c < clients; ++c)
		{
			threads.emplace_back([&, c]
			{
				for (int i = 0; i < perClient; ++i)
				{
					try
					{
						HttpReply reply = senders[c]->postForm(postPath(receiverId), {{"text", std::to_string(c) + ":" + std::to_string(i)}});
						if (reply.status != 201)
						{
							if (failures++ == 0) firstFailure[c] = std::to_string(reply.status) + " " + reply.body;
							continue;
						}
						ids[c].push_back(reply.json()->getValue<Poco::Int64>("id"));
					}
					catch (std::exception& e)
					{
						if (failures++ == 0) firstFailure[c] = e.what();
					}
				}
			});
		}
		for (auto& thread: threads) thread.join();
		std::string failure;
		for (const auto& f: firstFailure) failure += f;
		CPPUNIT_ASSERT_EQUAL_MESSAGE(failure, 0, failures.load());

		std::set<Poco::Int64> distinct;
		for (const auto& list: ids) distinct.insert(list.begin(), list.end());
		CPPUNIT_ASSERT_EQUAL(std::size_t(clients * perClient), distinct.size());

		// Everything readable, each conversation complete and in order.
		std::size_t total = 0;
		for (int c = 0; c < clients; ++c)
		{
			auto list = receiver.get("/messages/from/" + std::to_string(senderIds[c])).jsonArray();
			CPPUNIT_ASSERT_EQUAL(std::size_t(perClient), list->size());
			for (int i = 0; i < perClient; ++i)
			{
				CPPUNIT_ASSERT_EQUAL(std::to_string(c) + ":" + std::to_string(i), list->getObject(i)->getValue<std::string>("text"));
				CPPUNIT_ASSERT_EQUAL(ids[c][i], list->getObject(i)->getValue<Poco::Int64>("id"));
			}
			total += list->size();
		}
		CPPUNIT_ASSERT_EQUAL(std::size_t(clients * perClient), total);

		// One event per message, none twice, in id order.
		auto state = eventsAfter(receiver, clients * perClient);
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(clients * perClient), state->getValue<Poco::Int64>("events"));
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(clients * perClient), state->getValue<Poco::Int64>("distinct"));
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(0), state->getValue<Poco::Int64>("duplicates"));
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(0), state->getValue<Poco::Int64>("outOfOrder"));

		HttpReply metrics = receiver.get("/metrics");
		CPPUNIT_ASSERT(metrics.body.find("palaver_messages_stored_total " + std::to_string(clients * perClient)) != std::string::npos);
		const std::string output = _server->output();
		CPPUNIT_ASSERT_MESSAGE(output, output.find("database is locked") == std::string::npos);
	}

	void testCreatedOnlyOnceStored()
	{
		// The 201 is written from the store's callback after the commit: the
		// receiver's read right after it always sees the message (JSON and
		// form variants), and errors decided before the queue keep their JSON.
		HttpClient ana = client();
		HttpClient bob = client();
		const Poco::Int64 anaId = registerAs(ana, "ana");
		const Poco::Int64 bobId = registerAs(bob, "bob");
		for (int i = 0; i < 40; ++i)
		{
			const std::string text = "stored " + std::to_string(i);
			HttpReply created = i % 2 ? ana.postJson(postPath(bobId), "{\"text\": \"" + text + "\"}")
				: ana.postForm(postPath(bobId), {{"message[text]", text}});
			CPPUNIT_ASSERT_EQUAL_MESSAGE(created.body, 201, created.status);
			const Poco::Int64 id = created.json()->getValue<Poco::Int64>("id");
			auto list = bob.get("/messages/from/" + std::to_string(anaId)).jsonArray();
			CPPUNIT_ASSERT_EQUAL(std::size_t(i + 1), list->size());
			CPPUNIT_ASSERT_EQUAL(id, list->getObject(i)->getValue<Poco::Int64>("id"));
			CPPUNIT_ASSERT_EQUAL(text, list->getObject(i)->getValue<std::string>("text"));
		}
		HttpReply empty = ana.postJson(postPath(bobId), R"({"text": ""})");
		CPPUNIT_ASSERT_EQUAL(400, empty.status);
		CPPUNIT_ASSERT_EQUAL(std::string("text"), empty.json()->getObject("error")->getValue<std::string>("field"));
		HttpReply nobody = ana.postJson(postPath(999999), R"({"text": "hi"})");
		CPPUNIT_ASSERT_EQUAL(404, nobody.status);
		CPPUNIT_ASSERT_EQUAL(std::string("not_found"), nobody.json()->getObject("error")->getValue<std::string>("code"));
	}

	void testAnsweredMessagesSurviveACrash()
	{
		startInOwnStateDir();
		HttpClient ana = client();
		HttpClient bob = client();
		registerAs(ana, "ana");
		const Poco::Int64 bobId = registerAs(bob, "bob");
		for (int i = 0; i < 20; ++i)
			CPPUNIT_ASSERT_EQUAL(201, ana.postForm(postPath(bobId), {{"text", "m" + std::to_string(i)}}).status);
		// Every answered message must be on disk: SIGKILL, as a crash would.
		_server->kill();
		_server.reset();
		start(_keepState->path());
		HttpClient again = client();
		again.setBearer(loginToken("ana"));
		auto list = again.get("/messages/from/" + std::to_string(bobId)).jsonArray();
		CPPUNIT_ASSERT_EQUAL(std::size_t(20), list->size());
		CPPUNIT_ASSERT_EQUAL(std::string("m19"), list->getObject(19)->getValue<std::string>("text"));
	}

	void testShutdownUnderLoadLosesNothingAnswered()
	{
		startInOwnStateDir();
		const int clients = 4;
		HttpClient receiver = client();
		const Poco::Int64 receiverId = registerAs(receiver, "receiver");
		std::vector<std::unique_ptr<HttpClient>> senders;
		for (int i = 0; i < clients; ++i)
		{
			senders.emplace_back(new HttpClient(client()));
			registerAs(*senders.back(), "sender" + std::to_string(i));
		}
		// Senders post until the server goes away; SIGTERM arrives meanwhile.
		std::vector<std::set<Poco::Int64>> answered(clients);
		std::atomic<int> serverErrors{0};
		std::vector<std::thread> threads;
		for (int c = 0; c < clients; ++c)
		{
			threads.emplace_back([&, c]
			{
				for (int i = 0; i < 5000; ++i)
				{
					try
					{
						HttpReply reply = senders[c]->postForm(postPath(receiverId), {{"text", std::to_string(i)}});
						if (reply.status == 201)
							answered[c].insert(reply.json()->getValue<Poco::Int64>("id"));
						else if (reply.status >= 500 && reply.status != 503)
							++serverErrors;
					}
					catch (Poco::Exception&)
					{
						break;  // the server has closed
					}
				}
			});
		}
		eventsAfter(receiver, 200);
		CPPUNIT_ASSERT_EQUAL(0, _server->stop());
		for (auto& thread: threads) thread.join();
		CPPUNIT_ASSERT_EQUAL(0, serverErrors.load());

		start(_keepState->path());
		HttpClient reader = client();
		reader.setBearer(loginToken("receiver"));
		std::size_t total = 0;
		for (int c = 0; c < clients; ++c)
		{
			auto list = reader.get("/messages/from/" + std::to_string(_ids.at(senders[c].get()))).jsonArray();
			std::set<Poco::Int64> stored;
			for (std::size_t i = 0; i < list->size(); ++i)
				stored.insert(list->getObject(i)->getValue<Poco::Int64>("id"));
			for (Poco::Int64 id: answered[c])
				CPPUNIT_ASSERT_MESSAGE("answered 201 but not stored: " + std::to_string(id), stored.count(id) == 1);
			total += answered[c].size();
		}
		CPPUNIT_ASSERT(total >= 200);
		CPPUNIT_ASSERT_MESSAGE("the stop came after the load", total < std::size_t(clients) * 5000);
	}

private:
	void start(const std::string& stateDir = "", const std::vector<std::string>& more = {})
	{
		TestServer::Options options;
		options.pluginsConfigDir = _pluginsDir->path();
		options.stateDir = stateDir;
		options.arguments = {
			"--auth.enabled=true", "--messages.enabled=true", "--contacts.enabled=false",
			"--ws.enabled=false", "--web.enabled=false",
			"--auth.password_opslimit=1", "--auth.password_memlimit=8192"};
		options.arguments.insert(options.arguments.end(), more.begin(), more.end());
		_server.reset(new TestServer(options));
		try
		{
			_server->start();
		}
		catch (Poco::Exception& e)
		{
			CPPUNIT_FAIL(e.displayText());  // with the server's output
		}
	}

	/// Restarts on a state folder of our own, which outlives the server (for restarts).
	void startInOwnStateDir()
	{
		_keepState.reset(new Poco::TemporaryFile);
		Poco::File(_keepState->path()).createDirectories();
		_server.reset();
		start(_keepState->path());
	}

	/// A token of a user registered earlier, from POST /login.
	std::string loginToken(const std::string& name)
	{
		HttpClient client(_server->httpPort());
		HttpReply login = client.postJson("/login", R"({"username": ")" + name + R"(", "password": "secret123"})");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(login.body, 200, login.status);
		return login.json()->getValue<std::string>("token");
	}

	HttpClient client() const
	{
		return HttpClient(_server->httpPort());
	}

	Poco::Int64 registerAs(HttpClient& client, const std::string& name)
	{
		HttpReply reply = client.registerUser(name);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 201, reply.status);
		const Poco::Int64 id = reply.json()->getObject("user")->getValue<Poco::Int64>("id");
		_ids[&client] = id;
		_tokens[&client] = reply.json()->getValue<std::string>("token");
		return id;
	}

	Poco::Int64 registeredId(HttpClient& client)
	{
		return _ids.at(&client);
	}

	/// Sends only the headers of a POST that announces size bytes; returns the status.
	int announceBody(const std::string& path, const std::string& token, Poco::Int64 size)
	{
		HttpClient client(_server->httpPort());
		client.setBearer(token);
		HttpReply reply = client.announceBody(path, size, "application/x-www-form-urlencoded");
		CPPUNIT_ASSERT_MESSAGE(reply.body, reply.errorCode() == "payload_too_large");
		return reply.status;
	}

	static std::string postPath(Poco::Int64 to)
	{
		return "/post/touser/" + std::to_string(to);
	}

	static Poco::JSON::Object::Ptr probe(HttpClient& client)
	{
		HttpReply reply = client.get("/test/messagesprobe");
		CPPUNIT_ASSERT_EQUAL(200, reply.status);
		return reply.json();
	}

	/// The probe's state once it has counted at least n events (or after 10 s).
	/// Events are published on the writer thread just after the senders are
	/// answered, so they may trail the 201 by a moment.
	static Poco::JSON::Object::Ptr eventsAfter(HttpClient& client, Poco::Int64 n)
	{
		const Poco::Timestamp started;
		Poco::JSON::Object::Ptr state = probe(client);
		while (state->getValue<Poco::Int64>("events") < n && started.elapsed() < 10 * Poco::Timestamp::resolution())
		{
			Poco::Thread::sleep(5);
			state = probe(client);
		}
		return state;
	}

	static std::string texts(const HttpReply& reply)
	{
		CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 200, reply.status);
		auto list = reply.jsonArray();
		std::string result;
		for (std::size_t i = 0; i < list->size(); ++i)
			result += (i ? "|" : "") + list->getObject(i)->getValue<std::string>("text");
		return result;
	}

	/// A PROTOCOL.md error with this status (and field, when one is named).
	static void assertError(const HttpReply& reply, int status, const std::string& field)
	{
		CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, status, reply.status);
		CPPUNIT_ASSERT_MESSAGE(reply.body, !reply.errorCode().empty());
		auto error = reply.json()->getObject("error");
		CPPUNIT_ASSERT_MESSAGE(reply.body, !error->getValue<std::string>("message").empty());
		if (!field.empty())
			CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, field, error->optValue<std::string>("field", ""));
	}

	std::unique_ptr<Poco::TemporaryFile> _pluginsDir;
	std::unique_ptr<Poco::TemporaryFile> _keepState;
	std::unique_ptr<TestServer> _server;  /// declared last: stopped before the folders go
	std::map<const HttpClient*, Poco::Int64> _ids;
	std::map<const HttpClient*, std::string> _tokens;
};

CPPUNIT_TEST_SUITE_REGISTRATION(MessagesRoutesTest);
