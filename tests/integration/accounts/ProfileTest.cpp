// The profile (issue 15, step 2): PATCH /me and POST /me/image tell every
// socket (userupdate); DELETE /me ends the account but not the others'
// histories; GET /contacts searches and pages.
#include "AccountsSupport.h"
#include "TestImages.h"
#include <cppunit/extensions/HelperMacros.h>

using namespace Palaver::Testing;

namespace {

const std::string BOUNDARY = "----palaverProfileBoundary";

/// A multipart body with one file part named image.
std::string imageBody(const std::string& data, const std::string& fileName)
{
	return "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"" + fileName +
		"\"\r\nContent-Type: application/octet-stream\r\n\r\n" + data + "\r\n--" + BOUNDARY + "--\r\n";
}

HttpReply uploadImage(TestServer& server, const Account& account, const std::string& data)
{
	HttpClient http(server.httpPort());
	http.setBearer(account.token);
	return http.request("POST", "/me/image", imageBody(data, "me.png"), "multipart/form-data; boundary=" + BOUNDARY);
}

std::vector<std::string> names(const Poco::JSON::Array::Ptr& users)
{
	std::vector<std::string> result;
	for (std::size_t i = 0; i < users->size(); ++i)
		result.push_back(users->getObject(static_cast<unsigned>(i))->getValue<std::string>("userName"));
	return result;
}

} // namespace

class ProfileTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ProfileTest);
	CPPUNIT_TEST(testUpdateInfo);
	CPPUNIT_TEST(testUploadImage);
	CPPUNIT_TEST(testDeleteAccount);
	CPPUNIT_TEST(testContactsSearchAndPaging);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		_server = startWsServer({"--contacts.enabled=true"});
	}

	void tearDown() override
	{
		_server.reset();
	}

	void testUpdateInfo()
	{
		Account a = registerAccount(*_server, "info");
		Account b = registerAccount(*_server, "seer");
		auto watcher = connectAs(*_server, b);
		auto own = connectAs(*_server, a);

		HttpReply reply = call(*_server, a.token, "PATCH", "/me", "{\"info\":\"de vacaciones\"}");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 200, reply.status);
		CPPUNIT_ASSERT_EQUAL(std::string("de vacaciones"), reply.json()->getValue<std::string>("info"));
		for (WsClient* client: {watcher.get(), own.get()})
		{
			auto update = client->receiveType("userupdate");
			CPPUNIT_ASSERT_EQUAL(a.id, update->getValue<Poco::Int64>("id"));
			CPPUNIT_ASSERT_EQUAL(a.name, update->getValue<std::string>("userName"));
			CPPUNIT_ASSERT_EQUAL(std::string("de vacaciones"), update->getValue<std::string>("info"));
		}
		CPPUNIT_ASSERT_EQUAL(std::string("de vacaciones"), call(*_server, a.token, "GET", "/me").json()->getValue<std::string>("info"));

		HttpReply control = call(*_server, a.token, "PATCH", "/me", "{\"info\":\"bad\\u0001\"}");
		CPPUNIT_ASSERT_EQUAL(400, control.status);
		CPPUNIT_ASSERT_EQUAL(400, call(*_server, a.token, "PATCH", "/me", "{\"info\":\"" + std::string(256, 'x') + "\"}").status);
		CPPUNIT_ASSERT_EQUAL(400, call(*_server, a.token, "PATCH", "/me", "{}").status);
		CPPUNIT_ASSERT_EQUAL(401, call(*_server, "", "PATCH", "/me", "{\"info\":\"x\"}").status);
		// An empty info is allowed (as at registration).
		CPPUNIT_ASSERT_EQUAL(200, call(*_server, a.token, "PATCH", "/me", "{\"info\":\"\"}").status);
	}

	void testUploadImage()
	{
		Account a = registerAccount(*_server, "avatar");
		Account b = registerAccount(*_server, "viewer");
		auto watcher = connectAs(*_server, b);

		HttpReply first = uploadImage(*_server, a, PNG);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(first.body, 200, first.status);
		const std::string firstImage = first.json()->getValue<std::string>("image");
		CPPUNIT_ASSERT(firstImage.size() > 4 && firstImage.substr(firstImage.size() - 4) == ".png");
		CPPUNIT_ASSERT_EQUAL(firstImage, watcher->receiveType("userupdate")->getValue<std::string>("image"));
		HttpReply served = call(*_server, b.token, "GET", "/img/" + firstImage);
		CPPUNIT_ASSERT_EQUAL(200, served.status);
		// Re-encoded by the attachments plugin (issue 17), still a PNG.
		CPPUNIT_ASSERT_EQUAL(PNG.substr(0, 8), served.body.substr(0, 8));

		// A new one replaces it; the old file is gone.
		HttpReply second = uploadImage(*_server, a, JPEG);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(second.body, 200, second.status);
		const std::string secondImage = second.json()->getValue<std::string>("image");
		CPPUNIT_ASSERT(secondImage.substr(secondImage.size() - 4) == ".jpg");
		CPPUNIT_ASSERT_EQUAL(404, call(*_server, b.token, "GET", "/img/" + firstImage).status);
		CPPUNIT_ASSERT_EQUAL(200, call(*_server, b.token, "GET", "/img/" + secondImage).status);

		HttpReply fake = uploadImage(*_server, a, "<html>not a picture</html>");
		CPPUNIT_ASSERT_EQUAL(400, fake.status);
		CPPUNIT_ASSERT(fake.body.find("\"image\"") != std::string::npos);
		CPPUNIT_ASSERT_EQUAL(413, uploadImage(*_server, a, PNG + std::string(2 * 1024 * 1024, '\0')).status);
		CPPUNIT_ASSERT_EQUAL(400, call(*_server, a.token, "POST", "/me/image", "{}").status);
		CPPUNIT_ASSERT_EQUAL(secondImage, call(*_server, a.token, "GET", "/me").json()->getValue<std::string>("image"));
	}

	void testDeleteAccount()
	{
		Account a = registerAccount(*_server, "leaver");
		Account b = registerAccount(*_server, "stayer");
		HttpReply avatar = uploadImage(*_server, a, PNG);
		const std::string image = avatar.json()->getValue<std::string>("image");
		const Poco::Int64 fromA = postMessage(*_server, a, b.id, "hola desde a");
		const Poco::Int64 fromB = postMessage(*_server, b, a.id, "hola desde b");
		auto aSocket = rawSocket(*_server, a.token);
		const Account aOther = withToken(a, login(*_server, a));

		HttpReply wrong = call(*_server, a.token, "DELETE", "/me", "{\"password\":\"not-mine\"}");
		CPPUNIT_ASSERT_EQUAL(403, wrong.status);
		CPPUNIT_ASSERT_EQUAL(std::string("wrong_password"), wrong.errorCode());
		CPPUNIT_ASSERT_EQUAL(400, call(*_server, a.token, "DELETE", "/me").status);

		CPPUNIT_ASSERT_EQUAL(204, call(*_server, a.token, "DELETE", "/me", "{\"password\":\"secret123\"}").status);
		aSocket->sendText(chatFrame(b.id, "after leaving"));
		assertNothingStoredAfterEnd(*_server, *aSocket, b, a.id, "", "after leaving");
		CPPUNIT_ASSERT_EQUAL(401, call(*_server, a.token, "GET", "/me").status);
		CPPUNIT_ASSERT_EQUAL(401, call(*_server, aOther.token, "GET", "/me").status);
		HttpClient http(_server->httpPort());
		CPPUNIT_ASSERT_EQUAL(401, http.postJson("/login", "{\"username\":\"" + a.name + "\",\"password\":\"secret123\"}").status);

		// b keeps the conversation; a's messages have no sender name.
		HttpReply history = call(*_server, b.token, "GET", "/messages/from/" + std::to_string(a.id));
		CPPUNIT_ASSERT_EQUAL_MESSAGE(history.body, 200, history.status);
		auto messages = history.jsonArray();
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), messages->size());
		auto first = messages->getObject(0);
		CPPUNIT_ASSERT_EQUAL(fromA, first->getValue<Poco::Int64>("id"));
		CPPUNIT_ASSERT(first->isNull("fromUserName"));
		CPPUNIT_ASSERT_EQUAL(std::string("hola desde a"), first->getValue<std::string>("text"));
		CPPUNIT_ASSERT_EQUAL(fromB, messages->getObject(1)->getValue<Poco::Int64>("id"));
		CPPUNIT_ASSERT_EQUAL(b.name, messages->getObject(1)->getValue<std::string>("fromUserName"));

		// a is gone from contacts, cannot be written to, and its avatar is removed.
		CPPUNIT_ASSERT(call(*_server, b.token, "GET", "/contacts").body.find("\"" + a.name + "\"") == std::string::npos);
		CPPUNIT_ASSERT_EQUAL(404, call(*_server, b.token, "POST", "/post/touser/" + std::to_string(a.id), "{\"text\":\"hola?\"}").status);
		CPPUNIT_ASSERT_EQUAL(404, call(*_server, b.token, "GET", "/img/" + image).status);
		// A user nobody talked with is still unknown.
		CPPUNIT_ASSERT_EQUAL(404, call(*_server, b.token, "GET", "/messages/from/999999").status);
	}

	void testContactsSearchAndPaging()
	{
		Account me = registerAccount(*_server, "searcher");
		for (const char* name: {"qq-alpha", "qq-Beta", "qq-gamma", "qq_delta", "qqx"})
		{
			HttpClient http(_server->httpPort());
			CPPUNIT_ASSERT_EQUAL(201, http.registerUser(name).status);
		}
		auto search = [this, &me](const std::string& query)
		{
			HttpReply reply = call(*_server, me.token, "GET", "/contacts?" + query);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 200, reply.status);
			return names(reply.jsonArray());
		};
		CPPUNIT_ASSERT((std::vector<std::string>{"qq-Beta", "qq-alpha", "qq-gamma"}) == search("q=qq-"));
		// Either case; '_' and '%' are plain characters.
		CPPUNIT_ASSERT((std::vector<std::string>{"qq-Beta"}) == search("q=QQ-b"));
		CPPUNIT_ASSERT((std::vector<std::string>{"qq_delta"}) == search("q=qq_"));
		CPPUNIT_ASSERT(search("q=qq%25").empty());
		// Pages of two.
		CPPUNIT_ASSERT((std::vector<std::string>{"qq-Beta", "qq-alpha"}) == search("q=qq&limit=2"));
		CPPUNIT_ASSERT((std::vector<std::string>{"qq-gamma", "qq_delta"}) == search("q=qq&limit=2&after=qq-alpha"));
		CPPUNIT_ASSERT((std::vector<std::string>{"qqx"}) == search("q=qq&limit=2&after=qq_delta"));
		// The caller is never listed.
		CPPUNIT_ASSERT(search("q=" + me.name).empty());
		CPPUNIT_ASSERT_EQUAL(400, call(*_server, me.token, "GET", "/contacts?limit=0").status);
		CPPUNIT_ASSERT_EQUAL(400, call(*_server, me.token, "GET", "/contacts?limit=1001").status);
		CPPUNIT_ASSERT_EQUAL(400, call(*_server, me.token, "GET", "/contacts?q=%FF").status);
		// Without parameters: everyone, as before.
		CPPUNIT_ASSERT(call(*_server, me.token, "GET", "/contacts").jsonArray()->size() >= 5);
	}

private:
	std::unique_ptr<TestServer> _server;
};

CPPUNIT_TEST_SUITE_REGISTRATION(ProfileTest);
