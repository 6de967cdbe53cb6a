// The groups plugin (PROTOCOL.md "Groups", group read state, ?since= replay
// of group messages) against the real palaverd.
#include "WsTestSupport.h"
#include <Poco/JSON/Array.h>
#include <cppunit/extensions/HelperMacros.h>
#include <algorithm>

using namespace Palaver::Testing;

namespace {

TestServer& server()
{
	// One palaverd for the whole suite; each test uses users of its own.
	static std::unique_ptr<TestServer> instance = startWsServer({
		"--groups.enabled=true", "--groups.max_members=4", "--groups.max_groups_per_user=3", "--ws.replay_max=50"});
	return *instance;
}

HttpReply call(const Account& as, const std::string& method, const std::string& path, const std::string& json = "")
{
	HttpClient http(server().httpPort());
	http.setBearer(as.token);
	return http.request(method, path, json, json.empty() ? "" : "application/json");
}

std::string ids(std::initializer_list<Poco::Int64> list)
{
	std::string out = "[";
	for (Poco::Int64 id: list) out += (out.size() > 1 ? "," : "") + std::to_string(id);
	return out + "]";
}

/// Creates a group of creator and members; returns its id.
Poco::Int64 createGroup(const Account& creator, std::initializer_list<Poco::Int64> members, const std::string& name = "Familia")
{
	HttpReply reply = call(creator, "POST", "/groups", "{\"name\":\"" + name + "\",\"memberIds\":" + ids(members) + "}");
	CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 201, reply.status);
	return reply.json()->getValue<Poco::Int64>("id");
}

Poco::Int64 postToGroup(const Account& from, Poco::Int64 groupId, const std::string& text)
{
	HttpReply reply = call(from, "POST", "/post/togroup/" + std::to_string(groupId), "{\"text\":\"" + text + "\"}");
	CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 201, reply.status);
	auto message = reply.json();
	CPPUNIT_ASSERT(message->isNull("toUserId"));
	CPPUNIT_ASSERT_EQUAL(groupId, message->getValue<Poco::Int64>("groupId"));
	return message->getValue<Poco::Int64>("id");
}

std::vector<Poco::Int64> historyIds(const Account& as, Poco::Int64 groupId, int& status)
{
	HttpReply reply = call(as, "GET", "/messages/group/" + std::to_string(groupId));
	status = reply.status;
	std::vector<Poco::Int64> result;
	if (status != 200) return result;
	auto list = reply.jsonArray();
	for (std::size_t i = 0; i < list->size(); ++i) result.push_back(list->getObject(static_cast<unsigned>(i))->getValue<Poco::Int64>("id"));
	return result;
}

void assertError(const HttpReply& reply, int status, const std::string& field)
{
	CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, status, reply.status);
	if (!field.empty()) CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, field, reply.json()->getObject("error")->getValue<std::string>("field"));
}

std::size_t memberCount(const Account& as, Poco::Int64 groupId)
{
	HttpReply reply = call(as, "GET", "/groups/" + std::to_string(groupId));
	CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 200, reply.status);
	return reply.json()->getArray("members")->size();
}

std::string roleOf(const Poco::JSON::Object::Ptr& group, Poco::Int64 userId)
{
	auto members = group->getArray("members");
	for (std::size_t i = 0; i < members->size(); ++i)
	{
		auto member = members->getObject(static_cast<unsigned>(i));
		if (member->getValue<Poco::Int64>("userId") == userId) return member->getValue<std::string>("role");
	}
	return "";
}

/// True when no frame of type arrives within timeoutMs (others, such as
/// presence, may).
bool quietOf(WsClient& ws, const std::string& type, int timeoutMs = 300)
{
	const Poco::Timestamp started;
	for (;;)
	{
		const int left = timeoutMs - static_cast<int>(started.elapsed() / 1000);
		if (left <= 0) return true;
		try
		{
			if (ws.receiveJson(left)->getValue<std::string>("type") == type) return false;
		}
		catch (Poco::TimeoutException&)
		{
			return true;
		}
	}
}

/// The next chatmsg, groupmsg or replayed frame (presence skipped).
Poco::JSON::Object::Ptr nextMessage(WsClient& ws)
{
	for (;;)
	{
		auto frame = ws.receiveJson();
		if (frame->getValue<std::string>("type") != "presence") return frame;
	}
}

} // namespace

class GroupsTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(GroupsTest);
	CPPUNIT_TEST(testCreateListShow);
	CPPUNIT_TEST(testBadInput);
	CPPUNIT_TEST(testLimits);
	CPPUNIT_TEST(testAdminRules);
	CPPUNIT_TEST(testLeaving);
	CPPUNIT_TEST(testMembershipWindows);
	CPPUNIT_TEST(testLiveFrames);
	CPPUNIT_TEST(testClientFrames);
	CPPUNIT_TEST(testReadCursor);
	CPPUNIT_TEST(testReplaySince);
	CPPUNIT_TEST(testEditsOfGroupMessages);
	CPPUNIT_TEST(testConversations);
	CPPUNIT_TEST(testDirectReadReceipts);
	CPPUNIT_TEST_SUITE_END();

public:
	void testCreateListShow()
	{
		Account a = registerAccount(server(), "gca");
		Account b = registerAccount(server(), "gcb");
		Account stranger = registerAccount(server(), "gcs");
		HttpReply created = call(a, "POST", "/groups", "{\"name\":\"Familia\",\"memberIds\":" + ids({b.id}) + "}");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(created.body, 201, created.status);
		auto group = created.json();
		const Poco::Int64 id = group->getValue<Poco::Int64>("id");
		CPPUNIT_ASSERT_EQUAL(std::string("Familia"), group->getValue<std::string>("name"));
		CPPUNIT_ASSERT(group->isNull("image"));
		CPPUNIT_ASSERT(group->getObject("createdAt")->has("date"));
		CPPUNIT_ASSERT_EQUAL(std::string("admin"), roleOf(group, a.id));
		CPPUNIT_ASSERT_EQUAL(std::string("member"), roleOf(group, b.id));

		HttpReply list = call(b, "GET", "/groups");
		CPPUNIT_ASSERT_EQUAL(200, list.status);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), list.jsonArray()->size());
		CPPUNIT_ASSERT_EQUAL(id, list.jsonArray()->getObject(0)->getValue<Poco::Int64>("id"));
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), call(stranger, "GET", "/groups").jsonArray()->size());

		CPPUNIT_ASSERT_EQUAL(200, call(b, "GET", "/groups/" + std::to_string(id)).status);
		// No leak of which groups exist.
		assertError(call(stranger, "GET", "/groups/" + std::to_string(id)), 404, "");
		assertError(call(stranger, "GET", "/groups/999999"), 404, "");
		HttpClient anonymous(server().httpPort());
		CPPUNIT_ASSERT_EQUAL(401, anonymous.get("/groups").status);
	}

	void testBadInput()
	{
		Account a = registerAccount(server(), "gba");
		Account b = registerAccount(server(), "gbb");
		assertError(call(a, "POST", "/groups", "{\"name\":\"\",\"memberIds\":[]}"), 400, "name");
		assertError(call(a, "POST", "/groups", "{\"memberIds\":[]}"), 400, "name");
		assertError(call(a, "POST", "/groups", "{\"name\":\"" + std::string(101, 'x') + "\"}"), 400, "name");
		assertError(call(a, "POST", "/groups", "{\"name\":7}"), 400, "name");
		assertError(call(a, "POST", "/groups", "{\"name\":\"x\",\"memberIds\":[999999]}"), 400, "memberIds");
		assertError(call(a, "POST", "/groups", "{\"name\":\"x\",\"memberIds\":" + ids({b.id, b.id}) + "}"), 400, "memberIds");
		assertError(call(a, "POST", "/groups", "{\"name\":\"x\",\"memberIds\":\"2\"}"), 400, "memberIds");
		assertError(call(a, "POST", "/groups", "{\"name\":\"x\",\"memberIds\":[true]}"), 400, "memberIds");
		assertError(call(a, "POST", "/groups", "{\"name\":"), 400, "");
		// A form body names members as "2,3".
		HttpClient http(server().httpPort());
		http.setBearer(a.token);
		HttpReply form = http.postForm("/groups", {{"name", "Form"}, {"memberIds", std::to_string(b.id)}});
		CPPUNIT_ASSERT_EQUAL_MESSAGE(form.body, 201, form.status);
		CPPUNIT_ASSERT_EQUAL(std::string("member"), roleOf(form.json(), b.id));
		// None of the refused ones was created.
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), call(a, "GET", "/groups").jsonArray()->size());

		const Poco::Int64 group = form.json()->getValue<Poco::Int64>("id");
		const std::string members = "/groups/" + std::to_string(group) + "/members";
		assertError(call(a, "POST", members, "{\"userIds\":[]}"), 400, "userIds");
		assertError(call(a, "POST", members, "{\"userIds\":" + ids({b.id}) + "}"), 400, "userIds");
		assertError(call(a, "PUT", members + "/" + std::to_string(b.id), "{\"role\":\"owner\"}"), 400, "role");
		assertError(call(a, "PATCH", "/groups/" + std::to_string(group), "{\"name\":\"\"}"), 400, "name");
		assertError(call(a, "POST", "/post/togroup/" + std::to_string(group), "{\"text\":\"\"}"), 400, "text");
		assertError(call(a, "GET", "/messages/group/" + std::to_string(group) + "?limit=0"), 400, "limit");
		assertError(call(a, "POST", "/read/group/" + std::to_string(group), "{\"upToId\":\"x\"}"), 400, "upToId");
	}

	void testLimits()
	{
		Account a = registerAccount(server(), "gla");
		Account b = registerAccount(server(), "glb");
		Account c = registerAccount(server(), "glc");
		Account d = registerAccount(server(), "gld");
		Account e = registerAccount(server(), "gle");
		// max_members = 4
		assertError(call(a, "POST", "/groups", "{\"name\":\"big\",\"memberIds\":" + ids({b.id, c.id, d.id, e.id}) + "}"), 409, "memberIds");
		const Poco::Int64 group = createGroup(a, {b.id});
		// A failed add adds no one: e would fit, the unknown user does not exist.
		assertError(call(a, "POST", "/groups/" + std::to_string(group) + "/members", "{\"userIds\":[" + std::to_string(e.id) + ",999999]}"), 400, "userIds");
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), memberCount(a, group));
		HttpReply tooMany = call(a, "POST", "/groups/" + std::to_string(group) + "/members", "{\"userIds\":" + ids({c.id, d.id, e.id}) + "}");
		assertError(tooMany, 409, "userIds");
		CPPUNIT_ASSERT_EQUAL(std::string("limit_reached"), tooMany.errorCode());
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), memberCount(a, group));
		// max_groups_per_user = 3
		createGroup(a, {});
		createGroup(a, {});
		HttpReply fourth = call(a, "POST", "/groups", "{\"name\":\"four\"}");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(fourth.body, 409, fourth.status);
		CPPUNIT_ASSERT_EQUAL(std::string("limit_reached"), fourth.errorCode());
	}

	void testAdminRules()
	{
		Account a = registerAccount(server(), "gaa");
		Account b = registerAccount(server(), "gab");
		Account c = registerAccount(server(), "gac");
		Account stranger = registerAccount(server(), "gas");
		const Poco::Int64 group = createGroup(a, {b.id});
		const std::string path = "/groups/" + std::to_string(group);
		assertError(call(b, "PATCH", path, "{\"name\":\"mine\"}"), 403, "");
		assertError(call(stranger, "PATCH", path, "{\"name\":\"mine\"}"), 404, "");
		assertError(call(b, "POST", path + "/members", "{\"userIds\":" + ids({c.id}) + "}"), 403, "");
		assertError(call(b, "DELETE", path + "/members/" + std::to_string(a.id)), 403, "");
		assertError(call(stranger, "DELETE", path + "/members/" + std::to_string(b.id)), 404, "");

		HttpReply renamed = call(a, "PATCH", path, "{\"name\":\"Amigos\"}");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(renamed.body, 200, renamed.status);
		CPPUNIT_ASSERT_EQUAL(std::string("Amigos"), renamed.json()->getValue<std::string>("name"));
		// The last admin cannot step down.
		assertError(call(a, "PUT", path + "/members/" + std::to_string(a.id), "{\"role\":\"member\"}"), 409, "role");
		HttpReply promoted = call(a, "PUT", path + "/members/" + std::to_string(b.id), "{\"role\":\"admin\"}");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(promoted.body, 200, promoted.status);
		CPPUNIT_ASSERT_EQUAL(std::string("admin"), roleOf(promoted.json(), b.id));
		assertError(call(a, "PUT", path + "/members/" + std::to_string(c.id), "{\"role\":\"admin\"}"), 404, "");
		HttpReply added = call(b, "POST", path + "/members", "{\"userIds\":" + ids({c.id}) + "}");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(added.body, 200, added.status);
		CPPUNIT_ASSERT_EQUAL(std::string("member"), roleOf(added.json(), c.id));
		CPPUNIT_ASSERT_EQUAL(204, call(b, "DELETE", path + "/members/" + std::to_string(c.id)).status);
		assertError(call(c, "GET", path), 404, "");
	}

	void testLeaving()
	{
		Account a = registerAccount(server(), "gva");
		Account b = registerAccount(server(), "gvb");
		Account c = registerAccount(server(), "gvc");
		const Poco::Int64 group = createGroup(a, {b.id});
		const std::string path = "/groups/" + std::to_string(group);
		CPPUNIT_ASSERT_EQUAL(200, call(a, "POST", path + "/members", "{\"userIds\":" + ids({c.id}) + "}").status);
		// The last admin leaves: the longest-standing member (b) becomes admin.
		CPPUNIT_ASSERT_EQUAL(204, call(a, "DELETE", path + "/members/" + std::to_string(a.id)).status);
		auto group1 = call(b, "GET", path).json();
		CPPUNIT_ASSERT_EQUAL(std::string("admin"), roleOf(group1, b.id));
		CPPUNIT_ASSERT_EQUAL(std::string("member"), roleOf(group1, c.id));
		CPPUNIT_ASSERT_EQUAL(std::string(""), roleOf(group1, a.id));
		CPPUNIT_ASSERT_EQUAL(204, call(c, "DELETE", path + "/members/" + std::to_string(c.id)).status);
		// The last member leaving deletes the group.
		CPPUNIT_ASSERT_EQUAL(204, call(b, "DELETE", path + "/members/" + std::to_string(b.id)).status);
		assertError(call(b, "GET", path), 404, "");
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), call(b, "GET", "/groups").jsonArray()->size());
	}

	void testMembershipWindows()
	{
		Account a = registerAccount(server(), "gwa");
		Account b = registerAccount(server(), "gwb");
		Account late = registerAccount(server(), "gwl");
		const Poco::Int64 group = createGroup(a, {b.id});
		const Poco::Int64 first = postToGroup(a, group, "before");
		CPPUNIT_ASSERT_EQUAL(200, call(a, "POST", "/groups/" + std::to_string(group) + "/members", "{\"userIds\":" + ids({late.id}) + "}").status);
		const Poco::Int64 second = postToGroup(b, group, "after");
		int status = 0;
		CPPUNIT_ASSERT(historyIds(a, group, status) == std::vector<Poco::Int64>({first, second}));
		// A member added later does not see earlier messages.
		CPPUNIT_ASSERT(historyIds(late, group, status) == std::vector<Poco::Int64>({second}));
		// Paging: the newest one, then the one before it.
		HttpReply page = call(a, "GET", "/messages/group/" + std::to_string(group) + "?limit=1&before=" + std::to_string(second));
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), page.jsonArray()->size());
		CPPUNIT_ASSERT_EQUAL(first, page.jsonArray()->getObject(0)->getValue<Poco::Int64>("id"));
		// A group message is no direct message of anyone.
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), call(a, "GET", "/messages/from/" + std::to_string(b.id)).jsonArray()->size());

		// A removed member gets 404 and nothing more.
		CPPUNIT_ASSERT_EQUAL(204, call(a, "DELETE", "/groups/" + std::to_string(group) + "/members/" + std::to_string(b.id)).status);
		historyIds(b, group, status);
		CPPUNIT_ASSERT_EQUAL(404, status);
		assertError(call(b, "POST", "/post/togroup/" + std::to_string(group), "{\"text\":\"still here?\"}"), 404, "");
		assertError(call(b, "POST", "/read/group/" + std::to_string(group), "{\"upToId\":1}"), 404, "");
	}

	void testLiveFrames()
	{
		Account a = registerAccount(server(), "gfa");
		Account b = registerAccount(server(), "gfb");
		Account c = registerAccount(server(), "gfc");
		auto wsA = connectAs(server(), a);
		auto wsB = connectAs(server(), b);
		auto wsC = connectAs(server(), c);
		const Poco::Int64 group = createGroup(a, {b.id});
		auto created = wsB->receiveType("group");
		CPPUNIT_ASSERT_EQUAL(std::string("created"), created->getValue<std::string>("event"));
		CPPUNIT_ASSERT_EQUAL(a.id, created->getValue<Poco::Int64>("actorId"));
		CPPUNIT_ASSERT_EQUAL(group, created->getObject("group")->getValue<Poco::Int64>("id"));
		wsA->receiveType("group");

		// Every member's connections get groupmsg, the sender's included; others nothing.
		const Poco::Int64 id = postToGroup(b, group, "hola grupo");
		for (WsClient* ws: {wsA.get(), wsB.get()})
		{
			auto frame = ws->receiveType("groupmsg");
			CPPUNIT_ASSERT_EQUAL(id, frame->getValue<Poco::Int64>("id"));
			CPPUNIT_ASSERT_EQUAL(std::string("hola grupo"), frame->getValue<std::string>("text"));
			CPPUNIT_ASSERT_EQUAL(b.id, frame->getValue<Poco::Int64>("fromUserId"));
			CPPUNIT_ASSERT_EQUAL(b.name, frame->getValue<std::string>("fromUserName"));
		}
		CPPUNIT_ASSERT(quietOf(*wsC, "groupmsg"));

		CPPUNIT_ASSERT_EQUAL(200, call(a, "POST", "/groups/" + std::to_string(group) + "/members", "{\"userIds\":" + ids({c.id}) + "}").status);
		CPPUNIT_ASSERT_EQUAL(std::string("members_added"), wsC->receiveType("group")->getValue<std::string>("event"));
		CPPUNIT_ASSERT_EQUAL(200, call(a, "PATCH", "/groups/" + std::to_string(group), "{\"name\":\"Nuevo\"}").status);
		auto renamed = wsC->receiveType("group");
		CPPUNIT_ASSERT_EQUAL(std::string("renamed"), renamed->getValue<std::string>("event"));
		CPPUNIT_ASSERT_EQUAL(std::string("Nuevo"), renamed->getObject("group")->getValue<std::string>("name"));

		// The removed member hears of it, then nothing more.
		CPPUNIT_ASSERT_EQUAL(204, call(a, "DELETE", "/groups/" + std::to_string(group) + "/members/" + std::to_string(c.id)).status);
		auto removed = wsC->receiveType("group");
		CPPUNIT_ASSERT_EQUAL(std::string("member_removed"), removed->getValue<std::string>("event"));
		postToGroup(a, group, "sin c");
		wsB->receiveType("groupmsg");
		CPPUNIT_ASSERT(quietOf(*wsC, "groupmsg"));
	}

	void testClientFrames()
	{
		Account a = registerAccount(server(), "gka");
		Account b = registerAccount(server(), "gkb");
		Account stranger = registerAccount(server(), "gks");
		const Poco::Int64 group = createGroup(a, {b.id});
		auto wsA = connectAs(server(), a);
		auto wsB = connectAs(server(), b);
		auto wsS = connectAs(server(), stranger);

		wsA->sendText("{\"type\":\"groupmsg\",\"groupId\":" + std::to_string(group) + ",\"text\":\"por socket\",\"clientMsgId\":\"g1\"}");
		auto ack = wsA->receiveType("ack");
		CPPUNIT_ASSERT_EQUAL(std::string("g1"), ack->getValue<std::string>("clientMsgId"));
		auto message = wsB->receiveType("groupmsg");
		CPPUNIT_ASSERT_EQUAL(ack->getValue<Poco::Int64>("id"), message->getValue<Poco::Int64>("id"));
		CPPUNIT_ASSERT_EQUAL(std::string("por socket"), message->getValue<std::string>("text"));

		wsB->sendText("{\"type\":\"typing\",\"groupId\":" + std::to_string(group) + "}");
		auto typing = wsA->receiveType("typing");
		CPPUNIT_ASSERT_EQUAL(b.id, typing->getValue<Poco::Int64>("fromUserId"));
		CPPUNIT_ASSERT_EQUAL(group, typing->getValue<Poco::Int64>("groupId"));

		// Not a member: an error frame, the connection stays open, nothing is stored.
		wsS->sendText("{\"type\":\"groupmsg\",\"groupId\":" + std::to_string(group) + ",\"text\":\"intruso\",\"clientMsgId\":\"s1\"}");
		auto refused = wsS->receiveType("error");
		CPPUNIT_ASSERT_EQUAL(std::string("not_found"), refused->getValue<std::string>("code"));
		CPPUNIT_ASSERT_EQUAL(std::string("s1"), refused->getValue<std::string>("clientMsgId"));
		wsS->sendText("{\"type\":\"groupmsg\",\"groupId\":\"x\",\"text\":\"a\"}");
		CPPUNIT_ASSERT_EQUAL(std::string("groupId"), wsS->receiveType("error")->getValue<std::string>("field"));
		wsA->sendText("{\"type\":\"groupmsg\",\"groupId\":" + std::to_string(group) + ",\"text\":\"\",\"clientMsgId\":\"g2\"}");
		CPPUNIT_ASSERT_EQUAL(std::string("text"), wsA->receiveType("error")->getValue<std::string>("field"));
		CPPUNIT_ASSERT(quietOf(*wsB, "groupmsg"));
		// A direct typing frame is still the ws plugin's.
		wsA->sendText("{\"type\":\"typing\",\"toUserId\":" + std::to_string(b.id) + "}");
		CPPUNIT_ASSERT_EQUAL(b.id, wsB->receiveType("typing")->getValue<Poco::Int64>("toUserId"));
	}

	void testReadCursor()
	{
		Account a = registerAccount(server(), "gra");
		Account b = registerAccount(server(), "grb");
		const Poco::Int64 group = createGroup(a, {b.id});
		const Poco::Int64 first = postToGroup(a, group, "uno");
		const Poco::Int64 second = postToGroup(a, group, "dos");
		auto wsA = connectAs(server(), a);
		auto wsB1 = connectAs(server(), b);
		auto wsB2 = connectAs(server(), b);
		// Over HTTP: the other members and every connection of the reader.
		CPPUNIT_ASSERT_EQUAL(204, call(b, "POST", "/read/group/" + std::to_string(group), "{\"upToId\":" + std::to_string(first) + "}").status);
		for (WsClient* ws: {wsA.get(), wsB1.get(), wsB2.get()})
		{
			auto receipt = ws->receiveType("receipt");
			CPPUNIT_ASSERT_EQUAL(b.id, receipt->getValue<Poco::Int64>("readerId"));
			CPPUNIT_ASSERT_EQUAL(group, receipt->getValue<Poco::Int64>("groupId"));
			CPPUNIT_ASSERT_EQUAL(first, receipt->getValue<Poco::Int64>("upToId"));
		}
		// At or below the cursor: nothing.
		CPPUNIT_ASSERT_EQUAL(204, call(b, "POST", "/read/group/" + std::to_string(group), "{\"upToId\":" + std::to_string(first) + "}").status);
		CPPUNIT_ASSERT(quietOf(*wsA, "receipt"));
		// By frame, clamped to the group's last message.
		wsB1->sendText("{\"type\":\"read\",\"groupId\":" + std::to_string(group) + ",\"upToId\":" + std::to_string(second + 1000) + "}");
		auto receipt = wsB2->receiveType("receipt");
		CPPUNIT_ASSERT_EQUAL(second, receipt->getValue<Poco::Int64>("upToId"));
		CPPUNIT_ASSERT_EQUAL(second, wsA->receiveType("receipt")->getValue<Poco::Int64>("upToId"));
	}

	void testReplaySince()
	{
		Account a = registerAccount(server(), "gsa");
		Account b = registerAccount(server(), "gsb");
		Account late = registerAccount(server(), "gsl");
		Account gone = registerAccount(server(), "gsg");
		const Poco::Int64 group = createGroup(a, {b.id, gone.id});
		const Poco::Int64 before = postMessage(server(), a, b.id, "antes");
		// b is offline meanwhile.
		std::vector<Poco::Int64> missed;
		missed.push_back(postToGroup(a, group, "g1"));
		missed.push_back(postMessage(server(), a, b.id, "directo"));
		CPPUNIT_ASSERT_EQUAL(200, call(a, "POST", "/groups/" + std::to_string(group) + "/members", "{\"userIds\":" + ids({late.id}) + "}").status);
		CPPUNIT_ASSERT_EQUAL(204, call(a, "DELETE", "/groups/" + std::to_string(group) + "/members/" + std::to_string(gone.id)).status);
		missed.push_back(postToGroup(a, group, "g2"));
		missed.push_back(postToGroup(a, group, "g3"));

		auto ws = connectAs(server(), b, "&since=" + std::to_string(before));
		for (Poco::Int64 id: missed)
		{
			auto frame = nextMessage(*ws);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(frame->getValue<std::string>("type"), id, frame->getValue<Poco::Int64>("id"));
			const bool direct = id == missed[1];
			CPPUNIT_ASSERT_EQUAL(std::string(direct ? "chatmsg" : "groupmsg"), frame->getValue<std::string>("type"));
		}
		auto replayed = ws->receiveType("replayed");
		CPPUNIT_ASSERT_EQUAL(4, replayed->getValue<int>("count"));

		// The member added later: only what came after the joining.
		auto wsLate = connectAs(server(), late, "&since=0");
		CPPUNIT_ASSERT_EQUAL(missed[2], wsLate->receiveType("groupmsg")->getValue<Poco::Int64>("id"));
		CPPUNIT_ASSERT_EQUAL(missed[3], wsLate->receiveType("groupmsg")->getValue<Poco::Int64>("id"));
		CPPUNIT_ASSERT_EQUAL(2, wsLate->receiveType("replayed")->getValue<int>("count"));
		// The removed member: nothing of the group any more.
		auto wsGone = connectAs(server(), gone, "&since=0");
		CPPUNIT_ASSERT_EQUAL(0, wsGone->receiveType("replayed")->getValue<int>("count"));
	}

	void testEditsOfGroupMessages()
	{
		// An edit and a deletion of group messages reach the members live as
		// msgupdate, and a member replaying from after both messages gets the
		// two changes (and only them), in event order.
		Account a = registerAccount(server(), "gea");
		Account b = registerAccount(server(), "geb");
		Account stranger = registerAccount(server(), "ges");
		const Poco::Int64 group = createGroup(a, {b.id});
		const Poco::Int64 first = postToGroup(a, group, "uno");
		const Poco::Int64 second = postToGroup(a, group, "dos");
		auto wsB = connectAs(server(), b, "&since=" + std::to_string(second));
		CPPUNIT_ASSERT_EQUAL(0, wsB->receiveType("replayed")->getValue<int>("count"));
		auto wsStranger = connectAs(server(), stranger);

		HttpReply edited = call(a, "PATCH", "/messages/" + std::to_string(first), "{\"text\":\"uno!\"}");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(edited.body, 200, edited.status);
		auto update = wsB->receiveType("msgupdate");
		const Poco::Int64 editEvent = update->getValue<Poco::Int64>("eventId");
		CPPUNIT_ASSERT(editEvent > second);
		CPPUNIT_ASSERT_EQUAL(first, update->getObject("message")->getValue<Poco::Int64>("id"));
		CPPUNIT_ASSERT_EQUAL(group, update->getObject("message")->getValue<Poco::Int64>("groupId"));
		CPPUNIT_ASSERT_EQUAL(std::string("uno!"), update->getObject("message")->getValue<std::string>("text"));
		// Another member sees the message but may not change it; a stranger is not told it exists.
		CPPUNIT_ASSERT_EQUAL(403, call(b, "PATCH", "/messages/" + std::to_string(first), "{\"text\":\"mine\"}").status);
		CPPUNIT_ASSERT_EQUAL(403, call(b, "DELETE", "/messages/" + std::to_string(first)).status);
		CPPUNIT_ASSERT_EQUAL(404, call(stranger, "PATCH", "/messages/" + std::to_string(first), "{\"text\":\"mine\"}").status);
		CPPUNIT_ASSERT_EQUAL(404, call(stranger, "DELETE", "/messages/" + std::to_string(first)).status);

		CPPUNIT_ASSERT_EQUAL(204, call(a, "DELETE", "/messages/" + std::to_string(second)).status);
		auto deletion = wsB->receiveType("msgupdate");
		CPPUNIT_ASSERT(deletion->getValue<Poco::Int64>("eventId") > editEvent);
		CPPUNIT_ASSERT(deletion->getObject("message")->getValue<bool>("deleted"));
		CPPUNIT_ASSERT(quietOf(*wsStranger, "msgupdate"));

		auto replay = connectAs(server(), b, "&since=" + std::to_string(second));
		auto replayedEdit = nextMessage(*replay);
		CPPUNIT_ASSERT_EQUAL(std::string("msgupdate"), replayedEdit->getValue<std::string>("type"));
		CPPUNIT_ASSERT_EQUAL(editEvent, replayedEdit->getValue<Poco::Int64>("eventId"));
		auto replayedDeletion = nextMessage(*replay);
		CPPUNIT_ASSERT_EQUAL(second, replayedDeletion->getObject("message")->getValue<Poco::Int64>("id"));
		CPPUNIT_ASSERT(replayedDeletion->getObject("message")->getValue<bool>("deleted"));
		CPPUNIT_ASSERT_EQUAL(2, replay->receiveType("replayed")->getValue<int>("count"));
		// A stranger replaying from the start gets none of it.
		CPPUNIT_ASSERT_EQUAL(0, connectAs(server(), stranger, "&since=0")->receiveType("replayed")->getValue<int>("count"));
	}

	void testConversations()
	{
		Account a = registerAccount(server(), "gqa");
		Account b = registerAccount(server(), "gqb");
		Account c = registerAccount(server(), "gqc");
		postMessage(server(), a, b.id, "hola b");
		const Poco::Int64 fromB = postMessage(server(), b, a.id, "hola a");
		const Poco::Int64 group = createGroup(c, {a.id});
		const Poco::Int64 inGroup = postToGroup(c, group, "hola grupo");

		auto list = call(a, "GET", "/conversations").jsonArray();
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), list->size());
		auto first = list->getObject(0);
		CPPUNIT_ASSERT_EQUAL(std::string("group"), first->getValue<std::string>("kind"));
		CPPUNIT_ASSERT_EQUAL(group, first->getValue<Poco::Int64>("groupId"));
		CPPUNIT_ASSERT_EQUAL(inGroup, first->getObject("lastMessage")->getValue<Poco::Int64>("id"));
		CPPUNIT_ASSERT_EQUAL(1, first->getValue<int>("unread"));
		CPPUNIT_ASSERT_EQUAL(std::string("Familia"), first->getObject("group")->getValue<std::string>("name"));
		auto second = list->getObject(1);
		CPPUNIT_ASSERT_EQUAL(std::string("direct"), second->getValue<std::string>("kind"));
		CPPUNIT_ASSERT_EQUAL(b.id, second->getValue<Poco::Int64>("userId"));
		CPPUNIT_ASSERT_EQUAL(b.name, second->getObject("user")->getValue<std::string>("userName"));
		CPPUNIT_ASSERT_EQUAL(fromB, second->getObject("lastMessage")->getValue<Poco::Int64>("id"));
		CPPUNIT_ASSERT_EQUAL(1, second->getValue<int>("unread"));  // b's message; a's own does not count
		CPPUNIT_ASSERT_EQUAL(0, second->getValue<int>("readUpTo"));

		// Read: the counts clear, the cursors stay (a reload sees them).
		CPPUNIT_ASSERT_EQUAL(204, call(a, "POST", "/read/user/" + std::to_string(b.id), "{\"upToId\":" + std::to_string(fromB) + "}").status);
		CPPUNIT_ASSERT_EQUAL(204, call(a, "POST", "/read/group/" + std::to_string(group), "{\"upToId\":" + std::to_string(inGroup) + "}").status);
		list = call(a, "GET", "/conversations").jsonArray();
		CPPUNIT_ASSERT_EQUAL(0, list->getObject(0)->getValue<int>("unread"));
		CPPUNIT_ASSERT_EQUAL(inGroup, list->getObject(0)->getValue<Poco::Int64>("readUpTo"));
		CPPUNIT_ASSERT_EQUAL(0, list->getObject(1)->getValue<int>("unread"));
		CPPUNIT_ASSERT_EQUAL(fromB, list->getObject(1)->getValue<Poco::Int64>("readUpTo"));

		// A new group without messages comes first (its activity: the joining).
		const Poco::Int64 fresh = createGroup(b, {a.id}, "Nuevo");
		list = call(a, "GET", "/conversations?limit=1").jsonArray();
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), list->size());
		CPPUNIT_ASSERT_EQUAL(fresh, list->getObject(0)->getValue<Poco::Int64>("groupId"));
		CPPUNIT_ASSERT(list->getObject(0)->isNull("lastMessage"));
		// Paging by activity: before the group's message, only the direct chat.
		list = call(a, "GET", "/conversations?before=" + std::to_string(inGroup)).jsonArray();
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), list->size());
		CPPUNIT_ASSERT_EQUAL(b.id, list->getObject(0)->getValue<Poco::Int64>("userId"));
		// c sees the group only: no direct chat with anyone.
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), call(c, "GET", "/conversations").jsonArray()->size());

		assertError(call(a, "GET", "/conversations?limit=0"), 400, "limit");
		assertError(call(a, "GET", "/conversations?limit=201"), 400, "limit");
		assertError(call(a, "POST", "/read/user/999999", "{\"upToId\":1}"), 404, "");
		assertError(call(a, "POST", "/read/user/" + std::to_string(b.id), "{}"), 400, "upToId");
		HttpClient anonymous(server().httpPort());
		CPPUNIT_ASSERT_EQUAL(401, anonymous.get("/conversations").status);
	}

	void testDirectReadReceipts()
	{
		Account a = registerAccount(server(), "gda");
		Account b = registerAccount(server(), "gdb");
		const Poco::Int64 message = postMessage(server(), a, b.id, "lee esto");
		auto a1 = connectAs(server(), a);
		auto b1 = connectAs(server(), b);
		auto b2 = connectAs(server(), b);
		CPPUNIT_ASSERT_EQUAL(204, call(b, "POST", "/read/user/" + std::to_string(a.id), "{\"upToId\":" + std::to_string(message + 1000) + "}").status);
		for (WsClient* ws: {a1.get(), b1.get(), b2.get()})
		{
			auto receipt = ws->receiveType("receipt");
			CPPUNIT_ASSERT_EQUAL(b.id, receipt->getValue<Poco::Int64>("readerId"));
			CPPUNIT_ASSERT_EQUAL(a.id, receipt->getValue<Poco::Int64>("fromUserId"));
			CPPUNIT_ASSERT_EQUAL(message, receipt->getValue<Poco::Int64>("upToId"));
		}
		// At or below the stored cursor, by HTTP or frame: nothing.
		CPPUNIT_ASSERT_EQUAL(204, call(b, "POST", "/read/user/" + std::to_string(a.id), "{\"upToId\":" + std::to_string(message) + "}").status);
		b1->sendText("{\"type\":\"read\",\"fromUserId\":" + std::to_string(a.id) + ",\"upToId\":" + std::to_string(message) + "}");
		CPPUNIT_ASSERT(quietOf(*a1, "receipt", 500));
		// A frame that moves it: the other side and the reader's other connection.
		const Poco::Int64 next = postMessage(server(), a, b.id, "y esto");
		b1->sendText("{\"type\":\"read\",\"fromUserId\":" + std::to_string(a.id) + ",\"upToId\":" + std::to_string(next) + "}");
		CPPUNIT_ASSERT_EQUAL(next, a1->receiveType("receipt")->getValue<Poco::Int64>("upToId"));
		CPPUNIT_ASSERT_EQUAL(next, b2->receiveType("receipt")->getValue<Poco::Int64>("upToId"));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(GroupsTest);
