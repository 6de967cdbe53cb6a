// "attachmentId" on the WebSocket frames (PROTOCOL.md Part 2, "Attachments"):
// a chatmsg frame and a groupmsg frame that carry an upload reach the
// receivers live and in the ?since= replay with the "attachment" object, and
// someone else's upload is refused with an error frame.
#include "HttpClient.h"
#include "TestImages.h"
#include "TestServer.h"
#include "UploadForm.h"
#include "WsClient.h"
#include "WsTestSupport.h"
#include <Poco/Exception.h>
#include <cppunit/extensions/HelperMacros.h>
#include <memory>
#include <string>

using namespace Palaver::Testing;

class AttachmentFramesTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(AttachmentFramesTest);
	CPPUNIT_TEST(testChatFrameCarriesAttachment);
	CPPUNIT_TEST(testGroupFrameCarriesAttachment);
	CPPUNIT_TEST(testSomeoneElsesUploadRefused);
	CPPUNIT_TEST_SUITE_END();

public:
	static TestServer& server()
	{
		static std::unique_ptr<TestServer> instance = startWsServer({"--auth.password_opslimit=1", "--auth.password_memlimit=8192"});
		return *instance;
	}

	static std::string upload(const Account& owner, const std::string& name)
	{
		HttpClient http(server().httpPort());
		http.setBearer(owner.token);
		HttpReply reply = http.request("POST", "/attachments", multipart(name, "image/png", PNG), formType());
		CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 201, reply.status);
		return reply.json()->getValue<std::string>("id");
	}

	static Poco::Int64 createGroup(const Account& creator, Poco::Int64 memberId)
	{
		HttpClient http(server().httpPort());
		http.setBearer(creator.token);
		HttpReply reply = http.postJson("/groups", "{\"name\":\"Fotos\",\"memberIds\":[" + std::to_string(memberId) + "]}");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 201, reply.status);
		return reply.json()->getValue<Poco::Int64>("id");
	}

	// No chatmsg or groupmsg within half a second (presence frames may come).
	static bool noMessageFor(WsClient& ws)
	{
		try
		{
			for (int i = 0; i < 100; ++i)
			{
				const std::string type = ws.receiveJson(500)->getValue<std::string>("type");
				if (type == "chatmsg" || type == "groupmsg") return false;
			}
		}
		catch (Poco::TimeoutException&)
		{
		}
		return true;
	}

	// A message frame carrying the upload id, as PROTOCOL.md's attachment object.
	static void assertCarries(const Poco::JSON::Object::Ptr& frame, const std::string& id)
	{
		auto attachment = frame->getObject("attachment");
		CPPUNIT_ASSERT_MESSAGE("no attachment object", attachment);
		CPPUNIT_ASSERT_EQUAL(id, attachment->getValue<std::string>("id"));
		CPPUNIT_ASSERT_EQUAL(std::string("image/png"), attachment->getValue<std::string>("type"));
		CPPUNIT_ASSERT_EQUAL(2, attachment->getValue<int>("width"));
		CPPUNIT_ASSERT(attachment->getValue<bool>("thumbnail"));
	}

	void testChatFrameCarriesAttachment()
	{
		Account a = registerAccount(server(), "attws-a");
		Account b = registerAccount(server(), "attws-b");
		const Poco::Int64 before = postMessage(server(), a, b.id, "antes");
		const std::string id = upload(a, "playa.png");
		auto wsA = connectAs(server(), a);
		auto wsB = connectAs(server(), b);
		wsA->sendText("{\"type\":\"chatmsg\",\"toUserId\":" + std::to_string(b.id) + ",\"text\":\"\",\"attachmentId\":\"" + id +
			"\",\"clientMsgId\":\"p1\"}");
		const Poco::Int64 messageId = wsA->receiveType("ack")->getValue<Poco::Int64>("id");
		auto live = wsB->receiveType("chatmsg");
		CPPUNIT_ASSERT_EQUAL(messageId, live->getValue<Poco::Int64>("id"));
		assertCarries(live, id);
		// The receiver may now fetch it.
		HttpClient http(server().httpPort());
		http.setBearer(b.token);
		CPPUNIT_ASSERT_EQUAL(200, http.get("/attachments/" + id).status);

		auto replay = connectAs(server(), b, "&since=" + std::to_string(before));
		auto replayed = replay->receiveType("chatmsg");
		CPPUNIT_ASSERT_EQUAL(messageId, replayed->getValue<Poco::Int64>("id"));
		assertCarries(replayed, id);
		CPPUNIT_ASSERT_EQUAL(1, replay->receiveType("replayed")->getValue<int>("count"));
	}

	void testGroupFrameCarriesAttachment()
	{
		Account a = registerAccount(server(), "attwsg-a");
		Account b = registerAccount(server(), "attwsg-b");
		const Poco::Int64 group = createGroup(a, b.id);
		const Poco::Int64 before = postMessage(server(), a, b.id, "antes");
		const std::string id = upload(a, "grupo.png");
		auto wsA = connectAs(server(), a);
		auto wsB = connectAs(server(), b);
		wsA->sendText("{\"type\":\"groupmsg\",\"groupId\":" + std::to_string(group) + ",\"text\":\"mirad\",\"attachmentId\":\"" + id +
			"\",\"clientMsgId\":\"g1\"}");
		const Poco::Int64 messageId = wsA->receiveType("ack")->getValue<Poco::Int64>("id");
		auto live = wsB->receiveType("groupmsg");
		CPPUNIT_ASSERT_EQUAL(messageId, live->getValue<Poco::Int64>("id"));
		CPPUNIT_ASSERT_EQUAL(std::string("mirad"), live->getValue<std::string>("text"));
		assertCarries(live, id);
		HttpClient http(server().httpPort());
		http.setBearer(b.token);
		CPPUNIT_ASSERT_EQUAL(200, http.get("/attachments/" + id + "/thumbnail").status);

		auto replay = connectAs(server(), b, "&since=" + std::to_string(before));
		auto replayed = replay->receiveType("groupmsg");
		CPPUNIT_ASSERT_EQUAL(messageId, replayed->getValue<Poco::Int64>("id"));
		assertCarries(replayed, id);
	}

	void testSomeoneElsesUploadRefused()
	{
		Account owner = registerAccount(server(), "attwsx-owner");
		Account thief = registerAccount(server(), "attwsx-thief");
		Account friendOfThief = registerAccount(server(), "attwsx-friend");
		const Poco::Int64 group = createGroup(thief, friendOfThief.id);
		const std::string id = upload(owner, "mine.png");
		auto wsThief = connectAs(server(), thief);
		auto wsFriend = connectAs(server(), friendOfThief);
		wsThief->sendText("{\"type\":\"chatmsg\",\"toUserId\":" + std::to_string(friendOfThief.id) + ",\"text\":\"\",\"attachmentId\":\"" +
			id + "\",\"clientMsgId\":\"t1\"}");
		auto refused = wsThief->receiveType("error");
		CPPUNIT_ASSERT_EQUAL(std::string("attachmentId"), refused->getValue<std::string>("field"));
		CPPUNIT_ASSERT_EQUAL(std::string("t1"), refused->getValue<std::string>("clientMsgId"));
		wsThief->sendText("{\"type\":\"groupmsg\",\"groupId\":" + std::to_string(group) + ",\"text\":\"\",\"attachmentId\":\"" + id +
			"\",\"clientMsgId\":\"t2\"}");
		auto refusedInGroup = wsThief->receiveType("error");
		CPPUNIT_ASSERT_EQUAL(std::string("attachmentId"), refusedInGroup->getValue<std::string>("field"));
		CPPUNIT_ASSERT_EQUAL(std::string("t2"), refusedInGroup->getValue<std::string>("clientMsgId"));
		// Nothing reached the friend, who still cannot fetch the file; the owner still can send it.
		CPPUNIT_ASSERT(noMessageFor(*wsFriend));
		HttpClient http(server().httpPort());
		http.setBearer(friendOfThief.token);
		CPPUNIT_ASSERT_EQUAL(404, http.get("/attachments/" + id).status);
		auto wsOwner = connectAs(server(), owner);
		wsOwner->sendText("{\"type\":\"chatmsg\",\"toUserId\":" + std::to_string(thief.id) + ",\"text\":\"\",\"attachmentId\":\"" + id +
			"\",\"clientMsgId\":\"o1\"}");
		CPPUNIT_ASSERT(wsOwner->receiveType("ack"));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(AttachmentFramesTest);
