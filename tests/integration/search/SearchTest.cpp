// GET /search (PROTOCOL.md Part 2, "Editing, deleting, searching") against a
// real palaverd: accents and case, word prefixes, only the caller's own
// messages (direct, and groups within membership windows), edits and
// deletions, paging, FTS syntax as plain words, bad input.
#include "WsTestSupport.h"
#include "ClusterServices.h"
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/JSON/Array.h>
#include <Poco/StreamCopier.h>
#include <Poco/Thread.h>
#include <cppunit/extensions/HelperMacros.h>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

using namespace Palaver::Testing;

namespace {

TestServer& server()
{
	// One palaverd for the suite; each test uses users and words of its own.
	static std::unique_ptr<TestServer> instance = startWsServer({"--groups.enabled=true"});
	return *instance;
}

HttpReply call(TestServer& on, const Account& as, const std::string& method, const std::string& path, const std::string& json = "")
{
	HttpClient http(on.httpPort());
	http.setBearer(as.token);
	return http.request(method, path, json, json.empty() ? "" : "application/json");
}

HttpReply search(const Account& as, const std::string& q, const std::string& more = "", TestServer& on = server())
{
	return call(on, as, "GET", "/search?q=" + HttpClient::encode(q) + more);
}

/// The ids GET /search answers, in its order (200 asserted).
std::vector<Poco::Int64> found(const Account& as, const std::string& q, const std::string& more = "", TestServer& on = server())
{
	HttpReply reply = search(as, q, more, on);
	CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 200, reply.status);
	auto list = reply.jsonArray();
	std::vector<Poco::Int64> ids;
	for (std::size_t i = 0; i < list->size(); ++i) ids.push_back(list->getObject(static_cast<unsigned>(i))->getValue<Poco::Int64>("id"));
	return ids;
}

std::vector<Poco::Int64> ids(std::initializer_list<Poco::Int64> list)
{
	return std::vector<Poco::Int64>(list);
}

/// New messages are indexed in the background (every 200 ms): asks again
/// until the answer is expected, for at most a second, and asserts it.
void awaitFound(const std::vector<Poco::Int64>& expected, const Account& as, const std::string& q, const std::string& more = "",
	TestServer& on = server())
{
	std::vector<Poco::Int64> answer = found(as, q, more, on);
	for (int i = 0; i < 20 && answer != expected; ++i)
	{
		Poco::Thread::sleep(50);
		answer = found(as, q, more, on);
	}
	CPPUNIT_ASSERT_MESSAGE("found within a second: " + q, answer == expected);
}

void assertInvalid(const HttpReply& reply, const std::string& field)
{
	CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 400, reply.status);
	CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, std::string("validation_failed"), reply.errorCode());
	CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, field, reply.json()->getObject("error")->getValue<std::string>("field"));
}

Poco::Int64 createGroup(const Account& creator, const std::string& memberIds)
{
	HttpReply reply = call(server(), creator, "POST", "/groups", "{\"name\":\"Coro\",\"memberIds\":" + memberIds + "}");
	CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 201, reply.status);
	return reply.json()->getValue<Poco::Int64>("id");
}

Poco::Int64 postToGroup(const Account& from, Poco::Int64 groupId, const std::string& text)
{
	Poco::JSON::Object body;
	body.set("text", text);
	std::ostringstream json;
	body.stringify(json);
	HttpReply reply = call(server(), from, "POST", "/post/togroup/" + std::to_string(groupId), json.str());
	CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 201, reply.status);
	return reply.json()->getValue<Poco::Int64>("id");
}

bool onPostgreSQL()
{
	return !ClusterServices::postgreSQLOverride().empty();
}

std::string fileBytes(const std::string& path)
{
	if (!Poco::File(path).exists()) return "";
	Poco::FileInputStream in(path);
	std::string bytes;
	Poco::StreamCopier::copyToString(in, bytes);
	return bytes;
}

} // namespace

class SearchTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(SearchTest);
	CPPUNIT_TEST(testAccentsCaseAndPrefixes);
	CPPUNIT_TEST(testOnlyOwnMessages);
	CPPUNIT_TEST(testGroupWindows);
	CPPUNIT_TEST(testEditsAndDeletions);
	CPPUNIT_TEST(testPagingAndFilters);
	CPPUNIT_TEST(testSyntaxIsPlainWords);
	CPPUNIT_TEST(testBadInput);
	CPPUNIT_TEST(testFindableWithinASecond);
	CPPUNIT_TEST(testIndexFilledAfterItWasOff);
	CPPUNIT_TEST(testDeletedWordsLeaveTheFile);
	CPPUNIT_TEST_SUITE_END();

public:
	void testAccentsCaseAndPrefixes()
	{
		Account a = registerAccount(server(), "sra");
		Account b = registerAccount(server(), "srb");
		const Poco::Int64 song = postMessage(server(), a, b.id, "Una canci\xC3\xB3n en la PLAYA");
		const Poco::Int64 other = postMessage(server(), b, a.id, "Cancelado el viaje");
		awaitFound(ids({other, song}), a, "canc");
		CPPUNIT_ASSERT(ids({song}) == found(a, "cancion"));
		CPPUNIT_ASSERT(ids({song}) == found(b, "CANCI\xC3\x93N"));
		CPPUNIT_ASSERT(ids({song}) == found(a, "pla"));
		// Every word must match, each as a word's beginning; newest first.
		CPPUNIT_ASSERT(ids({other, song}) == found(a, "canc"));
		CPPUNIT_ASSERT(ids({song}) == found(a, "canc playa"));
		CPPUNIT_ASSERT(found(a, "anci\xC3\xB3n").empty());
		CPPUNIT_ASSERT(found(a, "cancion viaje").empty());
		// The messages are whole, as GET /messages/from gives them.
		auto message = search(a, "viaje").jsonArray()->getObject(0);
		CPPUNIT_ASSERT_EQUAL(std::string("Cancelado el viaje"), message->getValue<std::string>("text"));
		CPPUNIT_ASSERT_EQUAL(b.id, message->getValue<Poco::Int64>("fromUserId"));
		CPPUNIT_ASSERT_EQUAL(a.id, message->getValue<Poco::Int64>("toUserId"));
		CPPUNIT_ASSERT_EQUAL(b.name, message->getValue<std::string>("fromUserName"));
	}

	void testOnlyOwnMessages()
	{
		Account a = registerAccount(server(), "soa");
		Account b = registerAccount(server(), "sob");
		Account c = registerAccount(server(), "soc");
		const Poco::Int64 ab = postMessage(server(), a, b.id, "murcielago uno");
		const Poco::Int64 ba = postMessage(server(), b, a.id, "murcielago dos");
		const Poco::Int64 self = postMessage(server(), c, c.id, "murcielago nota");
		awaitFound(ids({self}), c, "murcielago");
		awaitFound(ids({ba, ab}), a, "murcielago");
		CPPUNIT_ASSERT(ids({ba, ab}) == found(b, "murcielago"));
		// c never sees a's and b's, nor they c's note to self.
		CPPUNIT_ASSERT(ids({self}) == found(c, "murcielago"));
		// Naming someone else's chat still reads only the caller's own.
		CPPUNIT_ASSERT(found(c, "murcielago", "&userId=" + std::to_string(a.id)).empty());
		HttpClient anonymous(server().httpPort());
		CPPUNIT_ASSERT_EQUAL(401, anonymous.request("GET", "/search?q=murcielago").status);
	}

	void testGroupWindows()
	{
		Account a = registerAccount(server(), "sga");
		Account b = registerAccount(server(), "sgb");
		Account c = registerAccount(server(), "sgc");
		const Poco::Int64 group = createGroup(a, "[" + std::to_string(b.id) + "]");
		const Poco::Int64 before = postToGroup(a, group, "ornitorrinco antes");
		HttpReply added = call(server(), a, "POST", "/groups/" + std::to_string(group) + "/members", "{\"userIds\":[" + std::to_string(c.id) + "]}");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(added.body, 200, added.status);
		const Poco::Int64 after = postToGroup(b, group, "ornitorrinco despues");
		awaitFound(ids({after, before}), a, "ornitorrinco");
		// c joined after the first message: only the second.
		CPPUNIT_ASSERT(ids({after}) == found(c, "ornitorrinco"));
		CPPUNIT_ASSERT(ids({after}) == found(c, "ornitorrinco", "&groupId=" + std::to_string(group)));
		// Removed: nothing of the group any more, and its filter is 404.
		CPPUNIT_ASSERT_EQUAL(204, call(server(), a, "DELETE", "/groups/" + std::to_string(group) + "/members/" + std::to_string(c.id)).status);
		CPPUNIT_ASSERT(found(c, "ornitorrinco").empty());
		CPPUNIT_ASSERT_EQUAL(404, search(c, "ornitorrinco", "&groupId=" + std::to_string(group)).status);
		// A stranger never saw any of it.
		Account d = registerAccount(server(), "sgd");
		CPPUNIT_ASSERT(found(d, "ornitorrinco").empty());
		CPPUNIT_ASSERT_EQUAL(404, search(d, "ornitorrinco", "&groupId=" + std::to_string(group)).status);
	}

	void testEditsAndDeletions()
	{
		Account a = registerAccount(server(), "sea");
		Account b = registerAccount(server(), "seb");
		const Poco::Int64 id = postMessage(server(), a, b.id, "hipopotamo gris");
		awaitFound(ids({id}), b, "hipopotamo");
		HttpReply edited = call(server(), a, "PATCH", "/messages/" + std::to_string(id), "{\"text\":\"rinoceronte gris\"}");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(edited.body, 200, edited.status);
		CPPUNIT_ASSERT(found(b, "hipopotamo").empty());
		CPPUNIT_ASSERT(ids({id}) == found(b, "rinoceronte"));
		auto message = search(b, "rino").jsonArray()->getObject(0);
		CPPUNIT_ASSERT(!message->isNull("editedAt"));
		CPPUNIT_ASSERT_EQUAL(204, call(server(), a, "DELETE", "/messages/" + std::to_string(id)).status);
		CPPUNIT_ASSERT(found(a, "rinoceronte").empty());
		CPPUNIT_ASSERT(found(b, "gris").empty());
	}

	void testPagingAndFilters()
	{
		Account a = registerAccount(server(), "spa");
		Account b = registerAccount(server(), "spb");
		Account c = registerAccount(server(), "spc");
		std::vector<Poco::Int64> posted;
		for (int i = 0; i < 5; ++i) posted.push_back(postMessage(server(), a, i % 2 == 0 ? b.id : c.id, "pingüino " + std::to_string(i)));
		awaitFound(ids({posted[4], posted[3]}), a, "pinguino", "&limit=2");
		CPPUNIT_ASSERT(ids({posted[2], posted[1]}) == found(a, "pinguino", "&limit=2&before=" + std::to_string(posted[3])));
		CPPUNIT_ASSERT(ids({posted[0]}) == found(a, "pinguino", "&limit=2&before=" + std::to_string(posted[1])));
		CPPUNIT_ASSERT_EQUAL(std::size_t(5), found(a, "pinguino").size());
		CPPUNIT_ASSERT(ids({posted[3], posted[1]}) == found(a, "pinguino", "&userId=" + std::to_string(c.id)));
		CPPUNIT_ASSERT(ids({posted[4], posted[2], posted[0]}) == found(b, "pinguino", "&userId=" + std::to_string(a.id)));
		// The chat with oneself is a chat like any other.
		const Poco::Int64 note = postMessage(server(), a, a.id, "pingüino nota");
		awaitFound(ids({note}), a, "pinguino", "&userId=" + std::to_string(a.id));
	}

	void testSyntaxIsPlainWords()
	{
		Account a = registerAccount(server(), "ssa");
		Account b = registerAccount(server(), "ssb");
		const Poco::Int64 near = postMessage(server(), a, b.id, "NEAR the quokka, OR NOT");
		const Poco::Int64 dash = postMessage(server(), a, b.id, "well-known quokka");
		awaitFound(ids({dash, near}), a, "quokka");
		const std::vector<std::string> queries = {
			"\"quokka", "quokka\"", "quokka*", "*", "quok* NEAR", "NEAR(quokka)", "-quokka", "quokka -well", "(quokka",
			"quokka)", "text:quokka", "{owners}: u1", "quokka AND", "OR quokka", "NOT quokka", "^quokka", "quokka + well",
			"'quokka'", "quokka;--", "\\quokka", "%quokka_", "u" + std::to_string(a.id)};
		for (const std::string& q: queries)
		{
			HttpReply reply = search(a, q);
			CPPUNIT_ASSERT_MESSAGE(q + ": " + reply.body, reply.status == 200 || reply.status == 400);
			if (reply.status == 400) assertInvalid(reply, "q");
		}
		// Quotes, stars, dashes and parentheses only separate words; NEAR,
		// OR and NOT are words.
		CPPUNIT_ASSERT(ids({dash, near}) == found(a, "\"quokka*"));
		CPPUNIT_ASSERT(ids({near}) == found(a, "NEAR(quokka)"));
		CPPUNIT_ASSERT(ids({near}) == found(a, "quokka OR NOT"));
		CPPUNIT_ASSERT(ids({dash}) == found(a, "-well quokka"));
		CPPUNIT_ASSERT(ids({dash}) == found(a, "well-known"));
		// Owner tokens are not words of the text.
		CPPUNIT_ASSERT(found(a, "u" + std::to_string(a.id)).empty());
		assertInvalid(search(a, "\"*\" - ()"), "q");
	}

	void testBadInput()
	{
		Account a = registerAccount(server(), "sba");
		assertInvalid(search(a, ""), "q");
		assertInvalid(call(server(), a, "GET", "/search"), "q");
		assertInvalid(search(a, "   "), "q");
		assertInvalid(search(a, std::string(201, 'x')), "q");
		CPPUNIT_ASSERT_EQUAL(200, search(a, std::string(200, 'x')).status);
		assertInvalid(search(a, "a b c d e f g h i j k"), "q");
		assertInvalid(call(server(), a, "GET", "/search?q=%FF%FE"), "q");
		assertInvalid(search(a, "hola", "&limit=0"), "limit");
		assertInvalid(search(a, "hola", "&limit=101"), "limit");
		assertInvalid(search(a, "hola", "&limit=x"), "limit");
		assertInvalid(search(a, "hola", "&before=-1"), "before");
		assertInvalid(search(a, "hola", "&userId=abc"), "userId");
		assertInvalid(search(a, "hola", "&groupId=0"), "groupId");
		assertInvalid(search(a, "hola", "&userId=1&groupId=1"), "groupId");
		CPPUNIT_ASSERT_EQUAL(404, search(a, "hola", "&groupId=999999").status);
	}

	void testFindableWithinASecond()
	{
		// Indexed in the background, within a second of the 201 (the issue's
		// bound); an edit or a deletion applies at once.
		Account a = registerAccount(server(), "sfa");
		Account b = registerAccount(server(), "sfb");
		for (int i = 0; i < 10; ++i)
		{
			const std::string word = "xylofono" + std::to_string(i) + "z";
			const Poco::Int64 id = postMessage(server(), a, b.id, word);
			awaitFound(ids({id}), b, word);
			CPPUNIT_ASSERT_EQUAL(200, call(server(), a, "PATCH", "/messages/" + std::to_string(id), "{\"text\":\"marimba\"}").status);
			CPPUNIT_ASSERT(found(b, word).empty());
		}
		// Changed before the indexer reached it: indexed as it then is.
		const Poco::Int64 early = postMessage(server(), a, b.id, "vibrafono antes");
		CPPUNIT_ASSERT_EQUAL(200, call(server(), a, "PATCH", "/messages/" + std::to_string(early), "{\"text\":\"vibrafono despues\"}").status);
		const Poco::Int64 gone = postMessage(server(), a, b.id, "vibrafono borrado");
		CPPUNIT_ASSERT_EQUAL(204, call(server(), a, "DELETE", "/messages/" + std::to_string(gone)).status);
		awaitFound(ids({early}), b, "vibrafono");
		CPPUNIT_ASSERT(found(b, "antes").empty());
		CPPUNIT_ASSERT(found(b, "borrado").empty());
	}

	void testIndexFilledAfterItWasOff()
	{
		// Messages stored while indexing was off are found once it is on again.
		std::unique_ptr<TestServer> off = startWsServer({"--messages.search_index=false"});
		Account a = registerAccount(*off, "sia");
		Account b = registerAccount(*off, "sib");
		const Poco::Int64 id = postMessage(*off, a, b.id, "armadillo");
		CPPUNIT_ASSERT_EQUAL(404, search(a, "armadillo", "", *off).status);
		CPPUNIT_ASSERT_EQUAL(0, off->stop());
		TestServer::Options options;
		options.arguments = {"--auth.enabled=true", "--messages.enabled=true", "--ws.enabled=true", "--contacts.enabled=false", "--web.enabled=false"};
		options.stateDir = off->stateDir();
		TestServer on(options);
		on.start();
		awaitFound(ids({id}), a, "armadillo", "", on);
		const Poco::Int64 next = postMessage(on, b, a.id, "armadillos");
		awaitFound(ids({next, id}), a, "armadillo", "", on);
	}

	void testDeletedWordsLeaveTheFile()
	{
		if (onPostgreSQL()) return;  // the raw file is SQLite's; PostgreSQL: docs/SECURITY.md
		std::unique_ptr<TestServer> own = startWsServer({"--messages.search_purge_delay=1"});
		Account a = registerAccount(*own, "sda");
		Account b = registerAccount(*own, "sdb");
		// Indexed in three rounds of the indexer: three segments.
		Poco::Int64 last = 0;
		for (int i = 0; i < 30; ++i) last = postMessage(*own, a, b.id, "zqkeptword filler " + std::to_string(i));
		awaitFound(ids({last}), a, "filler 29", "", *own);
		const Poco::Int64 id = postMessage(*own, a, b.id, "zqgoneword7f3a");
		awaitFound(ids({id}), a, "zqgoneword7f3a", "", *own);
		for (int i = 0; i < 30; ++i) last = postMessage(*own, b, a.id, "zqkeptword after " + std::to_string(i));
		awaitFound(ids({last}), a, "after 29", "", *own);
		CPPUNIT_ASSERT_EQUAL(204, call(*own, a, "DELETE", "/messages/" + std::to_string(id)).status);
		CPPUNIT_ASSERT(found(b, "zqgoneword", "", *own).empty());
		// A clean stop purges what is pending and checkpoints the WAL.
		CPPUNIT_ASSERT_EQUAL(0, own->stop());
		const std::string bytes = fileBytes(own->stateDir() + "/palaver.db") + fileBytes(own->stateDir() + "/palaver.db-wal");
		CPPUNIT_ASSERT_MESSAGE("kept words are indexed", bytes.find("zqkeptword") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE("the deleted words are gone", bytes.find("zqgoneword") == std::string::npos);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(SearchTest);
