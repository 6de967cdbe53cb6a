// Integration tests of editing and deleting messages (PROTOCOL.md Part 2,
// "One sequence of events" and "Editing, deleting, searching") against a real
// palaverd with auth, messages and ws: the routes, the msgupdate frames, and
// the ?since= replay after changes.
#include "../ws/WsTestSupport.h"
#include "ClusterServices.h"
#include <Poco/Environment.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/StreamCopier.h>
#include <cppunit/extensions/HelperMacros.h>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

using namespace Palaver::Testing;

namespace {

TestServer& server()
{
	// One palaverd for the suite; each test uses users of its own.
	static std::unique_ptr<TestServer> instance = startWsServer({"--ws.replay_max=4", "--messages.max_length=10"});
	return *instance;
}

/// A request to the suite's server as account.
HttpReply call(const Account& account, const std::string& method, const std::string& path,
	const std::string& body = "", const std::string& contentType = "")
{
	HttpClient http(server().httpPort());
	http.setBearer(account.token);
	return http.request(method, path, body, contentType);
}

HttpReply patch(const Account& by, Poco::Int64 id, const std::string& text)
{
	Poco::JSON::Object body;
	body.set("text", text);
	std::ostringstream json;
	body.stringify(json);
	return call(by, "PATCH", "/messages/" + std::to_string(id), json.str(), "application/json");
}

HttpReply remove(const Account& by, Poco::Int64 id)
{
	return call(by, "DELETE", "/messages/" + std::to_string(id));
}

/// The conversation of reader and other as reader reads it.
Poco::JSON::Array::Ptr history(const Account& reader, Poco::Int64 other)
{
	HttpReply reply = call(reader, "GET", "/messages/from/" + std::to_string(other));
	CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 200, reply.status);
	return reply.jsonArray();
}

void assertError(const HttpReply& reply, int status, const std::string& code)
{
	CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, status, reply.status);
	CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, code, reply.errorCode());
}

/// True when no frame of type arrives within 500 ms (other frames skipped).
bool silentAbout(WsClient& client, const std::string& type)
{
	try
	{
		client.receiveType(type, 500);
		return false;
	}
	catch (Poco::TimeoutException&)
	{
		return true;
	}
}

/// The next frame that is not presence (ready is followed by the presence list).
Poco::JSON::Object::Ptr nextFrame(WsClient& client)
{
	for (int i = 0; i < 10000; ++i)
	{
		auto frame = client.receiveJson();
		if (frame->getValue<std::string>("type") != "presence") return frame;
	}
	CPPUNIT_FAIL("nothing but presence frames");
	return nullptr;
}

bool onPostgreSQL()
{
	return !ClusterServices::postgreSQLOverride().empty();
}

} // namespace

class MessageEditsTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(MessageEditsTest);
	CPPUNIT_TEST(testEdit);
	CPPUNIT_TEST(testEditRefused);
	CPPUNIT_TEST(testEditWindowPassed);
	CPPUNIT_TEST(testDelete);
	CPPUNIT_TEST(testDeleteRefused);
	CPPUNIT_TEST(testMsgupdateFrames);
	CPPUNIT_TEST(testReplayAfterEditsAndDeletions);
	CPPUNIT_TEST(testReplayOfChangesIsBounded);
	CPPUNIT_TEST(testDeletedTextLeavesTheDatabaseFile);
	CPPUNIT_TEST_SUITE_END();

public:
	void testEdit()
	{
		Account a = registerAccount(server(), "eda");
		Account b = registerAccount(server(), "edb");
		const Poco::Int64 id = postMessage(server(), a, b.id, "hola");
		HttpReply edited = patch(a, id, "adiós");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(edited.body, 200, edited.status);
		auto message = edited.json();
		CPPUNIT_ASSERT_EQUAL(id, message->getValue<Poco::Int64>("id"));
		CPPUNIT_ASSERT_EQUAL(std::string("adi\xC3\xB3s"), message->getValue<std::string>("text"));
		CPPUNIT_ASSERT(!message->isNull("editedAt"));
		CPPUNIT_ASSERT(!message->getValue<bool>("deleted"));
		CPPUNIT_ASSERT_EQUAL(a.id, message->getValue<Poco::Int64>("fromUserId"));
		CPPUNIT_ASSERT_EQUAL(b.id, message->getValue<Poco::Int64>("toUserId"));

		// Both sides read the new text; the form encoding works as for posting.
		for (const Account* reader: {&a, &b})
		{
			auto list = history(*reader, reader == &a ? b.id : a.id);
			CPPUNIT_ASSERT_EQUAL(std::size_t(1), list->size());
			CPPUNIT_ASSERT_EQUAL(std::string("adi\xC3\xB3s"), list->getObject(0)->getValue<std::string>("text"));
			CPPUNIT_ASSERT(!list->getObject(0)->isNull("editedAt"));
		}
		HttpReply form = call(a, "PATCH", "/messages/" + std::to_string(id), "message%5Btext%5D=otra", "application/x-www-form-urlencoded");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(form.body, 200, form.status);
		CPPUNIT_ASSERT_EQUAL(std::string("otra"), history(b, a.id)->getObject(0)->getValue<std::string>("text"));
	}

	void testEditRefused()
	{
		Account a = registerAccount(server(), "era");
		Account b = registerAccount(server(), "erb");
		Account c = registerAccount(server(), "erc");
		const Poco::Int64 id = postMessage(server(), a, b.id, "hola");
		// The receiver may not, a stranger does not even learn it exists.
		assertError(patch(b, id, "mine now"), 403, "forbidden");
		assertError(patch(c, id, "mine now"), 404, "not_found");
		assertError(patch(a, id + 1000000, "nothing"), 404, "not_found");
		HttpReply notAnId = call(a, "PATCH", "/messages/abc", "{\"text\":\"x\"}", "application/json");
		CPPUNIT_ASSERT_EQUAL(404, notAnId.status);
		// Text as when posting: empty, blank, too long ([messages] max_length 10 here), missing.
		assertError(patch(a, id, ""), 400, "validation_failed");
		assertError(patch(a, id, "   "), 400, "validation_failed");
		HttpReply tooLong = patch(a, id, "12345678901");
		assertError(tooLong, 400, "validation_failed");
		CPPUNIT_ASSERT_EQUAL(std::string("text"), tooLong.json()->getObject("error")->getValue<std::string>("field"));
		assertError(call(a, "PATCH", "/messages/" + std::to_string(id), "{}", "application/json"), 400, "validation_failed");
		HttpClient anonymous(server().httpPort());
		CPPUNIT_ASSERT_EQUAL(401, anonymous.request("PATCH", "/messages/" + std::to_string(id), "{\"text\":\"x\"}", "application/json").status);
		// Nothing changed.
		auto list = history(b, a.id);
		CPPUNIT_ASSERT_EQUAL(std::string("hola"), list->getObject(0)->getValue<std::string>("text"));
		CPPUNIT_ASSERT(list->getObject(0)->isNull("editedAt"));
		// A deleted message cannot be edited back to life.
		CPPUNIT_ASSERT_EQUAL(204, remove(a, id).status);
		assertError(patch(a, id, "again"), 404, "not_found");
	}

	void testEditWindowPassed()
	{
		// With a window of 0 s every message is already too old to edit, but
		// can still be deleted.
		std::unique_ptr<TestServer> strict = startWsServer({"--messages.edit_window=0"});
		Account a = registerAccount(*strict, "ewa");
		Account b = registerAccount(*strict, "ewb");
		const Poco::Int64 id = postMessage(*strict, a, b.id, "hola");
		HttpClient http(strict->httpPort());
		http.setBearer(a.token);
		HttpReply late = http.request("PATCH", "/messages/" + std::to_string(id), "{\"text\":\"x\"}", "application/json");
		assertError(late, 403, "edit_window_passed");
		CPPUNIT_ASSERT_EQUAL(204, http.request("DELETE", "/messages/" + std::to_string(id)).status);
	}

	void testDelete()
	{
		Account a = registerAccount(server(), "dla");
		Account b = registerAccount(server(), "dlb");
		const Poco::Int64 kept = postMessage(server(), a, b.id, "keep me");
		const Poco::Int64 id = postMessage(server(), a, b.id, "secreto");
		CPPUNIT_ASSERT_EQUAL(200, patch(a, id, "secreto 2").status);
		HttpReply deleted = remove(a, id);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(deleted.body, 204, deleted.status);
		CPPUNIT_ASSERT(deleted.body.empty());
		for (const Account* reader: {&a, &b})
		{
			auto list = history(*reader, reader == &a ? b.id : a.id);
			CPPUNIT_ASSERT_EQUAL(std::size_t(2), list->size());
			CPPUNIT_ASSERT_EQUAL(kept, list->getObject(0)->getValue<Poco::Int64>("id"));
			CPPUNIT_ASSERT(!list->getObject(0)->getValue<bool>("deleted"));
			// The tombstone: id, users and time stay; text, edit and attachment go.
			auto tombstone = list->getObject(1);
			CPPUNIT_ASSERT_EQUAL(id, tombstone->getValue<Poco::Int64>("id"));
			CPPUNIT_ASSERT(tombstone->getValue<bool>("deleted"));
			CPPUNIT_ASSERT_EQUAL(std::string(""), tombstone->getValue<std::string>("text"));
			CPPUNIT_ASSERT(tombstone->isNull("editedAt"));
			CPPUNIT_ASSERT(tombstone->isNull("attachment"));
			CPPUNIT_ASSERT_EQUAL(a.id, tombstone->getValue<Poco::Int64>("fromUserId"));
			CPPUNIT_ASSERT_EQUAL(b.id, tombstone->getValue<Poco::Int64>("toUserId"));
			CPPUNIT_ASSERT(tombstone->getObject("timestamp"));
		}
		// Deleting again changes nothing and still answers 204.
		CPPUNIT_ASSERT_EQUAL(204, remove(a, id).status);
	}

	void testDeleteRefused()
	{
		Account a = registerAccount(server(), "dra");
		Account b = registerAccount(server(), "drb");
		Account c = registerAccount(server(), "drc");
		const Poco::Int64 id = postMessage(server(), a, b.id, "hola");
		assertError(remove(b, id), 403, "forbidden");
		assertError(remove(c, id), 404, "not_found");
		assertError(remove(a, id + 1000000), 404, "not_found");
		CPPUNIT_ASSERT_EQUAL(404, call(a, "DELETE", "/messages/0").status);
		HttpClient anonymous(server().httpPort());
		CPPUNIT_ASSERT_EQUAL(401, anonymous.request("DELETE", "/messages/" + std::to_string(id)).status);
		CPPUNIT_ASSERT(!history(b, a.id)->getObject(0)->getValue<bool>("deleted"));
	}

	void testMsgupdateFrames()
	{
		Account a = registerAccount(server(), "fra");
		Account b = registerAccount(server(), "frb");
		Account c = registerAccount(server(), "frc");
		auto a1 = connectAs(server(), a);
		auto b1 = connectAs(server(), b);
		auto b2 = connectAs(server(), b);
		auto c1 = connectAs(server(), c);
		const Poco::Int64 id = postMessage(server(), a, b.id, "hola");

		CPPUNIT_ASSERT_EQUAL(200, patch(a, id, "hola!").status);
		Poco::Int64 editEvent = 0;
		for (WsClient* client: {a1.get(), b1.get(), b2.get()})
		{
			auto frame = client->receiveType("msgupdate");
			const Poco::Int64 eventId = frame->getValue<Poco::Int64>("eventId");
			CPPUNIT_ASSERT_MESSAGE("a change takes a new id of the one sequence", eventId > id);
			if (editEvent == 0) editEvent = eventId;
			CPPUNIT_ASSERT_EQUAL(editEvent, eventId);
			auto message = frame->getObject("message");
			CPPUNIT_ASSERT_EQUAL(id, message->getValue<Poco::Int64>("id"));
			CPPUNIT_ASSERT_EQUAL(std::string("hola!"), message->getValue<std::string>("text"));
			CPPUNIT_ASSERT(!message->isNull("editedAt"));
		}
		// The next message's id comes after the change's event id.
		const Poco::Int64 next = postMessage(server(), b, a.id, "y?");
		CPPUNIT_ASSERT(next > editEvent);

		CPPUNIT_ASSERT_EQUAL(204, remove(a, id).status);
		for (WsClient* client: {a1.get(), b1.get(), b2.get()})
		{
			auto frame = client->receiveType("msgupdate");
			CPPUNIT_ASSERT(frame->getValue<Poco::Int64>("eventId") > next);
			auto message = frame->getObject("message");
			CPPUNIT_ASSERT_EQUAL(id, message->getValue<Poco::Int64>("id"));
			CPPUNIT_ASSERT(message->getValue<bool>("deleted"));
			CPPUNIT_ASSERT_EQUAL(std::string(""), message->getValue<std::string>("text"));
		}
		// Deleting again sends nothing; a third user never hears of any of it.
		CPPUNIT_ASSERT_EQUAL(204, remove(a, id).status);
		CPPUNIT_ASSERT(silentAbout(*b1, "msgupdate"));
		CPPUNIT_ASSERT(silentAbout(*c1, "msgupdate"));
	}

	void testReplayAfterEditsAndDeletions()
	{
		Account a = registerAccount(server(), "rpa");
		Account b = registerAccount(server(), "rpb");
		const Poco::Int64 seen = postMessage(server(), a, b.id, "first");
		// b is away: a new message, an edit of the one b has, a deletion of the new one.
		const Poco::Int64 fresh = postMessage(server(), a, b.id, "second");
		CPPUNIT_ASSERT_EQUAL(200, patch(a, seen, "1st fixed").status);
		const Poco::Int64 third = postMessage(server(), b, a.id, "third");
		CPPUNIT_ASSERT_EQUAL(204, remove(a, fresh).status);
		// Changes between others are none of b's business.
		Account c = registerAccount(server(), "rpc");
		const Poco::Int64 other = postMessage(server(), a, c.id, "other");
		CPPUNIT_ASSERT_EQUAL(200, patch(a, other, "other!").status);

		auto b1 = connectAs(server(), b, "&since=" + std::to_string(seen));
		// Oldest first: the new message as it now is (deleted), the edit, the third.
		auto second = nextFrame(*b1);
		CPPUNIT_ASSERT_EQUAL(std::string("chatmsg"), second->getValue<std::string>("type"));
		CPPUNIT_ASSERT_EQUAL(fresh, second->getValue<Poco::Int64>("id"));
		CPPUNIT_ASSERT(second->getValue<bool>("deleted"));
		CPPUNIT_ASSERT_EQUAL(std::string(""), second->getValue<std::string>("text"));
		auto edit = b1->receiveType("msgupdate");
		const Poco::Int64 editEvent = edit->getValue<Poco::Int64>("eventId");
		CPPUNIT_ASSERT(editEvent > fresh && editEvent < third);
		CPPUNIT_ASSERT_EQUAL(seen, edit->getObject("message")->getValue<Poco::Int64>("id"));
		CPPUNIT_ASSERT_EQUAL(std::string("1st fixed"), edit->getObject("message")->getValue<std::string>("text"));
		auto last = nextFrame(*b1);
		CPPUNIT_ASSERT_EQUAL(std::string("chatmsg"), last->getValue<std::string>("type"));
		CPPUNIT_ASSERT_EQUAL(third, last->getValue<Poco::Int64>("id"));
		auto replayed = b1->receiveType("replayed");
		CPPUNIT_ASSERT_EQUAL(3, replayed->getValue<int>("count"));
		CPPUNIT_ASSERT(replayed->getValue<bool>("complete"));

		// A device that had seen up to the edit gets only what came after it:
		// the third message, and the deletion of the second (a change of a
		// message it has).
		auto b2 = connectAs(server(), b, "&since=" + std::to_string(editEvent));
		CPPUNIT_ASSERT_EQUAL(third, b2->receiveType("chatmsg")->getValue<Poco::Int64>("id"));
		auto deletion = b2->receiveType("msgupdate");
		CPPUNIT_ASSERT(deletion->getValue<Poco::Int64>("eventId") > third);
		CPPUNIT_ASSERT_EQUAL(fresh, deletion->getObject("message")->getValue<Poco::Int64>("id"));
		CPPUNIT_ASSERT(deletion->getObject("message")->getValue<bool>("deleted"));
		CPPUNIT_ASSERT_EQUAL(2, b2->receiveType("replayed")->getValue<int>("count"));

		// Live changes after a replay come once.
		CPPUNIT_ASSERT_EQUAL(200, patch(b, third, "3").status);
		CPPUNIT_ASSERT_EQUAL(third, b1->receiveType("msgupdate")->getObject("message")->getValue<Poco::Int64>("id"));
		CPPUNIT_ASSERT(silentAbout(*b1, "msgupdate"));
	}

	void testReplayOfChangesIsBounded()
	{
		// replay_max is 4: five messages edited then deleted while away are
		// five changes (each message's latest only), replayed as four.
		Account a = registerAccount(server(), "rba");
		Account b = registerAccount(server(), "rbb");
		std::vector<Poco::Int64> ids;
		for (int i = 0; i < 5; ++i) ids.push_back(postMessage(server(), a, b.id, "m" + std::to_string(i)));
		const Poco::Int64 seen = ids.back();
		for (Poco::Int64 id: ids) CPPUNIT_ASSERT_EQUAL(200, patch(a, id, "e").status);
		for (Poco::Int64 id: ids) CPPUNIT_ASSERT_EQUAL(204, remove(a, id).status);
		auto b1 = connectAs(server(), b, "&since=" + std::to_string(seen));
		Poco::Int64 previous = seen;
		for (int i = 0; i < 4; ++i)
		{
			auto frame = nextFrame(*b1);
			CPPUNIT_ASSERT_EQUAL(std::string("msgupdate"), frame->getValue<std::string>("type"));
			CPPUNIT_ASSERT(frame->getValue<Poco::Int64>("eventId") > previous);
			previous = frame->getValue<Poco::Int64>("eventId");
			CPPUNIT_ASSERT_EQUAL(ids[i], frame->getObject("message")->getValue<Poco::Int64>("id"));
			CPPUNIT_ASSERT(frame->getObject("message")->getValue<bool>("deleted"));
		}
		auto replayed = b1->receiveType("replayed");
		CPPUNIT_ASSERT_EQUAL(4, replayed->getValue<int>("count"));
		CPPUNIT_ASSERT(!replayed->getValue<bool>("complete"));
	}

	void testDeletedTextLeavesTheDatabaseFile()
	{
		if (onPostgreSQL()) return;  // the raw file is SQLite's; PostgreSQL: docs/SECURITY.md
		std::unique_ptr<TestServer> own = startWsServer();
		Account a = registerAccount(*own, "dfa");
		Account b = registerAccount(*own, "dfb");
		const std::string secret = "zq-secret-7f3a9c-unique";
		HttpClient http(own->httpPort());
		http.setBearer(a.token);
		const Poco::Int64 kept = postMessage(*own, a, b.id, "zq-kept-51b0");
		const Poco::Int64 id = postMessage(*own, a, b.id, secret);
		CPPUNIT_ASSERT(kept < id);
		CPPUNIT_ASSERT_EQUAL(200, http.request("PATCH", "/messages/" + std::to_string(id), "{\"text\":\"" + secret + "-edited\"}", "application/json").status);
		CPPUNIT_ASSERT_EQUAL(204, http.request("DELETE", "/messages/" + std::to_string(id)).status);
		// A clean stop checkpoints the WAL into the file.
		CPPUNIT_ASSERT_EQUAL(0, own->stop());
		const std::string bytes = fileBytes(own->stateDir() + "/palaver.db") + fileBytes(own->stateDir() + "/palaver.db-wal");
		CPPUNIT_ASSERT_MESSAGE("the kept message is there", bytes.find("zq-kept-51b0") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE("the deleted text is gone", bytes.find("zq-secret-7f3a9c") == std::string::npos);
	}

private:
	static std::string fileBytes(const std::string& path)
	{
		if (!Poco::File(path).exists()) return "";
		Poco::FileInputStream in(path);
		std::string bytes;
		Poco::StreamCopier::copyToString(in, bytes);
		return bytes;
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(MessageEditsTest);
