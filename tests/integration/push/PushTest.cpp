// The push plugin (PROTOCOL.md Part 2 "Web Push") against the real palaverd
// and a mock push service on loopback: pushes only to users without a
// connection, their bodies decrypt (WebPushClient, from the RFCs' steps) to
// the specified payload, the VAPID header verifies against GET /push/key,
// 410 deletes, 503 is retried, a hanging service delays nothing else, and a
// log-out or the account's deletion removes the subscriptions, and the VAPID
// key lives in the database (a key file of an older release imported, a
// second palaverd on the database signing with the same key).
#include "MockPushService.h"
#include "UploadForm.h"
#include "WebPushClient.h"
#include "WsTestSupport.h"
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/JSON/Parser.h>
#include <Poco/TemporaryFile.h>
#include <cppunit/extensions/HelperMacros.h>
#include <sstream>

using namespace Palaver::Testing;

namespace {

std::unique_ptr<TestServer> startPushServer(const std::vector<std::string>& push, const std::string& stateDir = "")
{
	std::vector<std::string> arguments = {"--push.enabled=true", "--push.retry_delay=200", "--push.response_timeout=3000", "--push.senders=4"};
	arguments.insert(arguments.end(), push.begin(), push.end());
	return startWsServer(arguments, stateDir);
}

/// A palaverd that pushes to the mock service (http on loopback allowed).
TestServer& server()
{
	static std::unique_ptr<TestServer> instance = startPushServer({"--push.allow_insecure_endpoints=true"});
	return *instance;
}

MockPushService& service()
{
	static MockPushService instance;
	return instance;
}

std::string uniquePath(const std::string& kind)
{
	static int counter = 0;
	return "/" + kind + "/" + std::to_string(++counter);
}

HttpReply subscribe(TestServer& on, const Account& account, const std::string& json)
{
	HttpClient http(on.httpPort());
	http.setBearer(account.token);
	return http.postJson("/push/subscriptions", json);
}

/// Subscribes account's browser to the mock service at path; returns the id.
std::string subscribeTo(TestServer& on, const Account& account, const WebPushClient& browser, const std::string& path)
{
	HttpReply reply = subscribe(on, account, browser.subscriptionJson(service().origin() + path));
	CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 201, reply.status);
	return reply.json()->getValue<std::string>("id");
}

std::string serverKey(TestServer& on)
{
	HttpReply reply = HttpClient(on.httpPort()).get("/push/key");
	CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 200, reply.status);
	return reply.json()->getValue<std::string>("publicKey");
}

Poco::JSON::Object::Ptr parse(const std::string& json)
{
	return Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
}

/// The rows of push_subscriptions of userId in on's SQLite database.
int storedSubscriptions(TestServer& on, Poco::Int64 userId)
{
	Poco::Data::Session db("SQLite", on.stateDir() + "/palaver.db");
	int count = 0;
	db << "SELECT COUNT(*) FROM push_subscriptions WHERE user_id = ?", Poco::Data::Keywords::use(userId), Poco::Data::Keywords::into(count), Poco::Data::Keywords::now;
	return count;
}

/// Waits (at most 3 s) until userId has no subscription left in on's database.
bool subscriptionsGone(TestServer& on, Poco::Int64 userId)
{
	for (int attempt = 0; attempt < 150; ++attempt)
	{
		if (storedSubscriptions(on, userId) == 0) return true;
		Poco::Thread::sleep(20);
	}
	return false;
}

void writeFile(const std::string& path, const std::string& text)
{
	Poco::FileOutputStream out(path);
	out << text;
}

void assertError(const HttpReply& reply, int status, const std::string& field)
{
	CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, status, reply.status);
	CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, field, reply.json()->getObject("error")->getValue<std::string>("field"));
}

/// Posts and checks that the answer came at once (within a second).
Poco::Int64 postPromptly(TestServer& on, const Account& from, Poco::Int64 to, const std::string& text)
{
	const Poco::Timestamp started;
	const Poco::Int64 id = postMessage(on, from, to, text);
	CPPUNIT_ASSERT_MESSAGE(std::to_string(started.elapsed() / 1000) + " ms", started.elapsed() < 1000000);
	return id;
}

/// A sender and a receiver on a server, the receiver's browser subscribed
/// to the mock service at a new path of kind ("ok", "slow").
struct Subscribed
{
	Account sender;
	Account receiver;
	WebPushClient browser;
	std::string path;

	Subscribed(TestServer& on, const std::string& prefix, const std::string& kind):
		sender(registerAccount(on, prefix + "sender")),
		receiver(registerAccount(on, prefix + "receiver")),
		path(uniquePath(kind))
	{
		subscribeTo(on, receiver, browser, path);
	}
};

/// Uploads bytes as fileName and posts them to receiver with text (maybe
/// empty) as the caption, promptly; returns the message's id.
Poco::Int64 postAttachment(TestServer& on, const Account& from, Poco::Int64 to, const std::string& fileName, const std::string& bytes,
	const std::string& text)
{
	HttpClient http(on.httpPort());
	http.setBearer(from.token);
	const HttpReply uploaded = http.request("POST", "/attachments", multipart(fileName, "application/octet-stream", bytes), formType());
	CPPUNIT_ASSERT_EQUAL_MESSAGE(uploaded.body, 201, uploaded.status);
	Poco::JSON::Object body;
	body.set("attachmentId", uploaded.json()->getValue<std::string>("id"));
	body.set("text", text);
	std::ostringstream json;
	body.stringify(json);
	const Poco::Timestamp started;
	const HttpReply posted = http.postJson("/post/touser/" + std::to_string(to), json.str());
	CPPUNIT_ASSERT_EQUAL_MESSAGE(posted.body, 201, posted.status);
	CPPUNIT_ASSERT_MESSAGE(std::to_string(started.elapsed() / 1000) + " ms", started.elapsed() < 1000000);
	return posted.json()->getValue<Poco::Int64>("id");
}

} // namespace

class PushTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(PushTest);
	CPPUNIT_TEST(testKeyIsAPublicP256PointInTheDatabase);
	CPPUNIT_TEST(testKeyFileIsImportedAndSharedThroughTheDatabase);
	CPPUNIT_TEST(testSubscriptionsAreValidatedAndOwned);
	CPPUNIT_TEST(testPushOnlyWhenTheReceiverHasNoConnection);
	CPPUNIT_TEST(testGroupMessagesReachOfflineMembers);
	CPPUNIT_TEST(testGoneDeletesTheSubscription);
	CPPUNIT_TEST(testServiceUnavailableIsRetried);
	CPPUNIT_TEST(testHangingServiceDelaysNothingElse);
	CPPUNIT_TEST(testLogOutRemovesTheSessionsSubscriptions);
	CPPUNIT_TEST(testAccountDeletionRemovesTheSubscriptions);
	CPPUNIT_TEST(testTextOnlyWhenConfigured);
	CPPUNIT_TEST(testAttachmentTypeAlwaysItsNameWithTheText);
	CPPUNIT_TEST(testQueuedPushesAreSentAtStop);
	CPPUNIT_TEST(testPrivateEndpointsAreRefused);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		Poco::Data::SQLite::Connector::registerConnector();
	}

	void testKeyIsAPublicP256PointInTheDatabase()
	{
		const std::string point = WebPushClient::base64UrlDecode(serverKey(server()));
		CPPUNIT_ASSERT_EQUAL(std::size_t(65), point.size());
		CPPUNIT_ASSERT_EQUAL('\x04', point[0]);
		CPPUNIT_ASSERT_MESSAGE("no key file any more", !Poco::File(server().stateDir() + "/push/vapid.pem").exists());
	}

	void testKeyFileIsImportedAndSharedThroughTheDatabase()
	{
		// The state folder of an older release, with its key file.
		Poco::TemporaryFile folder;
		Poco::File(folder.path() + "/push").createDirectories();
		const std::string keyFile = folder.path() + "/push/vapid.pem";
		const WebPushClient legacy;
		writeFile(keyFile, legacy.privateKeyPem());
		auto first = startPushServer({}, folder.path());
		CPPUNIT_ASSERT_EQUAL(legacy.publicKey(), serverKey(*first));
		CPPUNIT_ASSERT_MESSAGE("left alone", Poco::File(keyFile).exists());

		// A second palaverd on that database, with a state folder of its own.
		auto second = startPushServer({"--database.connection=" + folder.path() + "/palaver.db"});
		CPPUNIT_ASSERT_EQUAL(legacy.publicKey(), serverKey(*second));

		// Once stored, the database's key wins over any file.
		first->stop();
		writeFile(keyFile, WebPushClient().privateKeyPem());
		first->start();
		CPPUNIT_ASSERT_EQUAL(legacy.publicKey(), serverKey(*first));
		CPPUNIT_ASSERT_MESSAGE(first->output(), first->output().find("is ignored") != std::string::npos);
	}

	void testSubscriptionsAreValidatedAndOwned()
	{
		const Account owner = registerAccount(server(), "pushowner");
		const Account other = registerAccount(server(), "pushother");
		WebPushClient browser;
		CPPUNIT_ASSERT_EQUAL(401, HttpClient(server().httpPort()).postJson("/push/subscriptions", browser.subscriptionJson(service().origin() + "/ok/x")).status);
		assertError(subscribe(server(), owner, browser.subscriptionJson("ftp://example.com/x")), 400, "endpoint");
		assertError(subscribe(server(), owner, "{\"endpoint\":\"https://push.example.com/x\",\"keys\":{\"p256dh\":\"AAAA\",\"auth\":\"AAAAAAAAAAAAAAAAAAAAAA\"}}"), 400, "keys[p256dh]");
		const std::string good = browser.subscriptionJson("https://push.example.com/y");
		const std::string shortAuth = good.substr(0, good.rfind("\"auth\":\"")) + "\"auth\":\"AAAA\"}}";
		assertError(subscribe(server(), owner, shortAuth), 400, "keys[auth]");

		const std::string id = subscribeTo(server(), owner, browser, uniquePath("ok"));
		HttpClient asOther(server().httpPort());
		asOther.setBearer(other.token);
		CPPUNIT_ASSERT_EQUAL(404, asOther.request("DELETE", "/push/subscriptions/" + id).status);
		HttpClient asOwner(server().httpPort());
		asOwner.setBearer(owner.token);
		CPPUNIT_ASSERT_EQUAL(204, asOwner.request("DELETE", "/push/subscriptions/" + id).status);
		CPPUNIT_ASSERT_EQUAL(404, asOwner.request("DELETE", "/push/subscriptions/" + id).status);
	}

	void testPushOnlyWhenTheReceiverHasNoConnection()
	{
		const Account sender = registerAccount(server(), "pushsender");
		const Account receiver = registerAccount(server(), "pushreceiver");
		WebPushClient browser;
		const std::string path = uniquePath("ok");
		subscribeTo(server(), receiver, browser, path);

		auto connection = connectAs(server(), receiver);
		const Poco::Int64 live = postPromptly(server(), sender, receiver.id, "while connected");
		CPPUNIT_ASSERT_EQUAL(live, connection->receiveType("chatmsg")->getValue<Poco::Int64>("id"));
		// Who is connected is asked on a sender thread just after the frame
		// went out: closing at once could race it (a push as well then).
		CPPUNIT_ASSERT(service().waitFor(path, 1, 1000).empty());
		connection->close();
		connection.reset();
		CPPUNIT_ASSERT(service().waitFor(path, 1, 500).empty());

		// The connection's end reaches the hub a moment after the close.
		Poco::Int64 id = 0;
		std::vector<MockPushService::Received> pushes;
		for (int attempt = 0; attempt < 20 && pushes.empty(); ++attempt)
		{
			id = postPromptly(server(), sender, receiver.id, "while away");
			pushes = service().waitFor(path, 1, 500);
		}
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), pushes.size());
		const MockPushService::Received& push = pushes.front();
		CPPUNIT_ASSERT_EQUAL(std::string("aes128gcm"), push.headers.get("Content-Encoding", ""));
		CPPUNIT_ASSERT_EQUAL(std::string("high"), push.headers.get("Urgency", ""));
		CPPUNIT_ASSERT_EQUAL(std::string("86400"), push.headers.get("TTL", ""));

		auto claims = WebPushClient::verifyVapid(push.headers.get("Authorization", ""), serverKey(server()));
		CPPUNIT_ASSERT_EQUAL(service().origin(), claims->getValue<std::string>("aud"));
		const Poco::Int64 now = Poco::Timestamp().epochTime();
		const Poco::Int64 expires = claims->getValue<Poco::Int64>("exp");
		CPPUNIT_ASSERT(expires > now && expires <= now + 24 * 3600);
		CPPUNIT_ASSERT_EQUAL(std::string("mailto:postmaster@localhost"), claims->getValue<std::string>("sub"));

		auto payload = parse(browser.decrypt(push.body));
		CPPUNIT_ASSERT_EQUAL(std::string("chatmsg"), payload->getValue<std::string>("type"));
		CPPUNIT_ASSERT_EQUAL(id, payload->getValue<Poco::Int64>("id"));
		CPPUNIT_ASSERT_EQUAL(sender.id, payload->getValue<Poco::Int64>("fromUserId"));
		CPPUNIT_ASSERT_EQUAL(sender.name, payload->getValue<std::string>("fromUserName"));
		CPPUNIT_ASSERT_EQUAL(receiver.id, payload->getValue<Poco::Int64>("toUserId"));
		CPPUNIT_ASSERT(payload->has("groupId") && payload->isNull("groupId"));
		CPPUNIT_ASSERT_MESSAGE("no text by default", !payload->has("text"));
	}

	void testGroupMessagesReachOfflineMembers()
	{
		const Account author = registerAccount(server(), "groupauthor");
		const Account away = registerAccount(server(), "groupaway");
		const Account present = registerAccount(server(), "grouppresent");
		WebPushClient authorBrowser, awayBrowser, presentBrowser;
		const std::string authorPath = uniquePath("ok"), awayPath = uniquePath("ok"), presentPath = uniquePath("ok");
		subscribeTo(server(), author, authorBrowser, authorPath);
		subscribeTo(server(), away, awayBrowser, awayPath);
		subscribeTo(server(), present, presentBrowser, presentPath);
		auto connection = connectAs(server(), present);

		HttpClient http(server().httpPort());
		http.setBearer(author.token);
		HttpReply group = http.postJson("/groups", "{\"name\":\"Familia\",\"memberIds\":[" + std::to_string(away.id) + "," + std::to_string(present.id) + "]}");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(group.body, 201, group.status);
		const Poco::Int64 groupId = group.json()->getValue<Poco::Int64>("id");
		HttpReply posted = http.postJson("/post/togroup/" + std::to_string(groupId), "{\"text\":\"hola\"}");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(posted.body, 201, posted.status);

		auto pushes = service().waitFor(awayPath, 1);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), pushes.size());
		auto payload = parse(awayBrowser.decrypt(pushes[0].body));
		CPPUNIT_ASSERT_EQUAL(std::string("groupmsg"), payload->getValue<std::string>("type"));
		CPPUNIT_ASSERT_EQUAL(posted.json()->getValue<Poco::Int64>("id"), payload->getValue<Poco::Int64>("id"));
		CPPUNIT_ASSERT_EQUAL(groupId, payload->getValue<Poco::Int64>("groupId"));
		CPPUNIT_ASSERT(payload->isNull("toUserId"));
		CPPUNIT_ASSERT_MESSAGE("connected member", service().waitFor(presentPath, 1, 700).empty());
		CPPUNIT_ASSERT_MESSAGE("the author", service().received(authorPath).empty());
	}

	void testGoneDeletesTheSubscription()
	{
		const Account sender = registerAccount(server(), "gonesender");
		const Account receiver = registerAccount(server(), "gonereceiver");
		WebPushClient browser;
		const std::string path = uniquePath("gone");
		subscribeTo(server(), receiver, browser, path);
		postPromptly(server(), sender, receiver.id, "first");
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), service().waitFor(path, 1).size());
		// Deleted once answered: a later message finds no subscription (410 is not retried).
		Poco::Thread::sleep(300);
		postPromptly(server(), sender, receiver.id, "second");
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), service().waitFor(path, 2, 1500).size());
	}

	void testServiceUnavailableIsRetried()
	{
		const Account sender = registerAccount(server(), "flakysender");
		const Account receiver = registerAccount(server(), "flakyreceiver");
		WebPushClient browser;
		const std::string path = uniquePath("flaky");
		subscribeTo(server(), receiver, browser, path);
		const Poco::Int64 id = postPromptly(server(), sender, receiver.id, "again");
		auto pushes = service().waitFor(path, 2);
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), pushes.size());
		CPPUNIT_ASSERT_MESSAGE("backed off", pushes[1].at - pushes[0].at >= 150000);
		CPPUNIT_ASSERT_EQUAL(id, parse(browser.decrypt(pushes[1].body))->getValue<Poco::Int64>("id"));
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), service().waitFor(path, 3, 700).size());
	}

	void testHangingServiceDelaysNothingElse()
	{
		const Account sender = registerAccount(server(), "hangsender");
		const Account stuck = registerAccount(server(), "hangstuck");
		const Account away = registerAccount(server(), "hangaway");
		const Account online = registerAccount(server(), "hangonline");
		WebPushClient stuckBrowser;
		WebPushClient awayBrowser;
		const std::string hanging = uniquePath("hang");
		const std::string fine = uniquePath("ok");
		subscribeTo(server(), stuck, stuckBrowser, hanging);
		subscribeTo(server(), away, awayBrowser, fine);
		auto connection = connectAs(server(), online);

		for (int i = 0; i < 3; ++i) postPromptly(server(), sender, stuck.id, "into the void");
		CPPUNIT_ASSERT(!service().waitFor(hanging, 1).empty());
		const Poco::Timestamp started;
		const Poco::Int64 live = postPromptly(server(), sender, online.id, "live");
		CPPUNIT_ASSERT_EQUAL(live, connection->receiveType("chatmsg", 1000)->getValue<Poco::Int64>("id"));
		postPromptly(server(), sender, away.id, "pushed");
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), service().waitFor(fine, 1, 2000).size());
		CPPUNIT_ASSERT_MESSAGE(std::to_string(started.elapsed() / 1000) + " ms", started.elapsed() < 2000000);
		service().release();
	}

	void testLogOutRemovesTheSessionsSubscriptions()
	{
		const Account sender = registerAccount(server(), "logoutsender");
		const Account receiver = registerAccount(server(), "logoutreceiver");
		WebPushClient browser;
		const std::string path = uniquePath("ok");
		subscribeTo(server(), receiver, browser, path);
		HttpClient http(server().httpPort());
		http.setBearer(receiver.token);
		const int status = http.request("POST", "/logout").status;
		CPPUNIT_ASSERT(status == 200 || status == 204);
		Poco::Thread::sleep(200);
		CPPUNIT_ASSERT(subscriptionsGone(server(), receiver.id));
		postPromptly(server(), sender, receiver.id, "after log-out");
		CPPUNIT_ASSERT(service().waitFor(path, 1, 1500).empty());
	}

	void testAccountDeletionRemovesTheSubscriptions()
	{
		const Account leaving = registerAccount(server(), "pushleaving");
		WebPushClient browser;
		subscribeTo(server(), leaving, browser, uniquePath("ok"));
		CPPUNIT_ASSERT_EQUAL(1, storedSubscriptions(server(), leaving.id));
		HttpClient http(server().httpPort());
		http.setBearer(leaving.token);
		const HttpReply deleted = http.request("DELETE", "/me", "{\"password\":\"secret123\"}", "application/json");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(deleted.body, 204, deleted.status);
		CPPUNIT_ASSERT(subscriptionsGone(server(), leaving.id));
	}

	void testTextOnlyWhenConfigured()
	{
		auto withText = startPushServer({"--push.allow_insecure_endpoints=true", "--push.include_text=true", "--push.subject=mailto:ops@example.org"});
		const Account sender = registerAccount(*withText, "textsender");
		const Account receiver = registerAccount(*withText, "textreceiver");
		WebPushClient browser;
		const std::string path = uniquePath("ok");
		subscribeTo(*withText, receiver, browser, path);
		postPromptly(*withText, sender, receiver.id, "¡Hola, Pepe! \"quoted\"");
		auto pushes = service().waitFor(path, 1);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), pushes.size());
		CPPUNIT_ASSERT_EQUAL(std::string("¡Hola, Pepe! \"quoted\""), parse(browser.decrypt(pushes[0].body))->getValue<std::string>("text"));
		auto claims = WebPushClient::verifyVapid(pushes[0].headers.get("Authorization", ""), serverKey(*withText));
		CPPUNIT_ASSERT_EQUAL(std::string("mailto:ops@example.org"), claims->getValue<std::string>("sub"));
	}

	void testAttachmentTypeAlwaysItsNameWithTheText()
	{
		// By default: the attachment's type, and neither its name nor the
		// caption. (A file, not an image: no image decoding in this
		// palaverd, which keeps its leak checks under ASan.)
		const Subscribed file(server(), "file", "ok");
		const Poco::Int64 id = postAttachment(server(), file.sender, file.receiver.id, "private-name.txt", "bytes", "a caption");
		auto pushes = service().waitFor(file.path, 1);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), pushes.size());
		const std::string decrypted = file.browser.decrypt(pushes[0].body);
		auto payload = parse(decrypted);
		CPPUNIT_ASSERT_EQUAL(id, payload->getValue<Poco::Int64>("id"));
		CPPUNIT_ASSERT_EQUAL(std::string("application/octet-stream"), payload->getObject("attachment")->getValue<std::string>("type"));
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), payload->getObject("attachment")->size());
		CPPUNIT_ASSERT_MESSAGE(decrypted, decrypted.find("private-name") == std::string::npos && !payload->has("text"));

		// With include_text: a file's name, and the text, empty when there is no caption.
		auto withText = startPushServer({"--push.allow_insecure_endpoints=true", "--push.include_text=true"});
		const Subscribed named(*withText, "named", "ok");
		postAttachment(*withText, named.sender, named.receiver.id, "factura año.pdf", "%PDF-1.4 not really", "");
		pushes = service().waitFor(named.path, 1);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), pushes.size());
		payload = parse(named.browser.decrypt(pushes[0].body));
		auto attachment = payload->getObject("attachment");
		CPPUNIT_ASSERT_EQUAL(std::string("factura año.pdf"), attachment->getValue<std::string>("name"));
		CPPUNIT_ASSERT_EQUAL(std::string("application/octet-stream"), attachment->getValue<std::string>("type"));
		CPPUNIT_ASSERT_EQUAL(std::string(""), payload->getValue<std::string>("text"));
		// A message without attachment has none.
		postPromptly(*withText, named.sender, named.receiver.id, "sin adjunto");
		pushes = service().waitFor(named.path, 2);
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), pushes.size());
		CPPUNIT_ASSERT(!parse(named.browser.decrypt(pushes[1].body))->has("attachment"));
	}

	void testQueuedPushesAreSentAtStop()
	{
		// One sender and a service that takes 300 ms a push: when the
		// server is told to stop, most of the pushes are still queued.
		auto stopping = startPushServer({"--push.allow_insecure_endpoints=true", "--push.senders=1"});
		const Subscribed drained(*stopping, "stop", "slow");
		const int pushes = 4;
		for (int i = 0; i < pushes; ++i) postPromptly(*stopping, drained.sender, drained.receiver.id, "before the stop");
		const Poco::Timestamp stopped;
		CPPUNIT_ASSERT_EQUAL(0, stopping->stop());
		// Sent within [push] drain_timeout (3 s) before the plugin stopped.
		CPPUNIT_ASSERT_EQUAL_MESSAGE(stopping->output(), std::size_t(pushes), service().received(drained.path).size());
		CPPUNIT_ASSERT_MESSAGE(std::to_string(stopped.elapsed() / 1000) + " ms", stopped.elapsed() < 10000000);
		CPPUNIT_ASSERT_MESSAGE(stopping->output(), stopping->output().find("were dropped") == std::string::npos);

		// drain_timeout = 0: what is queued is dropped, and said.
		auto hasty = startPushServer({"--push.allow_insecure_endpoints=true", "--push.senders=1", "--push.drain_timeout=0"});
		const Subscribed dropped(*hasty, "hasty", "slow");
		const int many = 8;  // 2.4 s of sending: far more than posting them takes
		for (int i = 0; i < many; ++i) postPromptly(*hasty, dropped.sender, dropped.receiver.id, "before the stop");
		CPPUNIT_ASSERT_EQUAL(0, hasty->stop());
		CPPUNIT_ASSERT(service().received(dropped.path).size() < std::size_t(many));
		CPPUNIT_ASSERT_MESSAGE(hasty->output(), hasty->output().find("were dropped") != std::string::npos);
	}

	void testPrivateEndpointsAreRefused()
	{
		auto strict = startPushServer({});
		const Account owner = registerAccount(*strict, "strict");
		WebPushClient browser;
		for (const std::string& endpoint: {service().origin() + "/ok/x", std::string("https://127.0.0.1/x"), std::string("https://10.1.2.3/x"),
			std::string("https://[::1]/x"), std::string("https://[fe80::1]/x"), std::string("https://169.254.169.254/latest")})
			assertError(subscribe(*strict, owner, browser.subscriptionJson(endpoint)), 400, "endpoint");
		CPPUNIT_ASSERT_EQUAL(201, subscribe(*strict, owner, browser.subscriptionJson("https://push.example.com/abc")).status);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(PushTest);
