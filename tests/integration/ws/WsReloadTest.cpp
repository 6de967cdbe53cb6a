// palaverctl plugins reload ws (and groups) on a running palaverd with 200
// authenticated chat clients: none is dropped, the chat messages sent during
// the reload are held by the core and answered by the new version (acked and
// delivered, never lost), and chat, typing, presence and group frames work
// after it (docs/PLUGINS.md, "Run time"). What the ws plugin hands to its
// next version: presence subscriptions and the auth_timeout deadlines of
// connections that have not authenticated yet.
#include "WsTestSupport.h"
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/TemporaryFile.h>
#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

using namespace Palaver::Testing;

namespace {

std::unique_ptr<TestServer> startReloadServer()
{
	// The shipped plugins: push (which uses ws and groups) is restarted with them.
	return startWsServer({"--groups.enabled=true", "--push.enabled=true", "--attachments.enabled=true"});
}

std::string chatFrame(Poco::Int64 to, const std::string& text, const std::string& clientMsgId)
{
	return "{\"type\":\"chatmsg\",\"toUserId\":" + std::to_string(to) + ",\"text\":\"" + text + "\",\"clientMsgId\":\"" + clientMsgId + "\"}";
}

/// The sender's ack of clientMsgId, and the receiver's chatmsg with text.
void expectDelivered(WsClient& sender, WsClient& receiver, const std::string& clientMsgId, const std::string& text)
{
	auto ack = sender.receiveType("ack");
	CPPUNIT_ASSERT_EQUAL(clientMsgId, ack->getValue<std::string>("clientMsgId"));
	auto message = receiver.receiveType("chatmsg");
	CPPUNIT_ASSERT_EQUAL(text, message->getValue<std::string>("text"));
	CPPUNIT_ASSERT_EQUAL(ack->getValue<Poco::Int64>("id"), message->getValue<Poco::Int64>("id"));
}

using Clients = std::vector<std::vector<std::unique_ptr<WsClient>>>;

/// Every sender connection sends prefix-i-k to its pair's receiver.
void sendRound(Clients& senders, const std::vector<Account>& receivers, const std::string& prefix)
{
	for (std::size_t i = 0; i < senders.size(); ++i)
	{
		for (std::size_t k = 0; k < senders[i].size(); ++k)
		{
			const std::string text = prefix + "-" + std::to_string(i) + "-" + std::to_string(k);
			senders[i][k]->sendText(chatFrame(receivers[i].id, text, text));
		}
	}
}

/// Every message of sendRound() was acked to its connection and reached
/// every connection of its receiver.
void expectRound(Clients& senders, Clients& receivers, const std::string& prefix)
{
	for (std::size_t i = 0; i < senders.size(); ++i)
	{
		std::set<std::string> sent;
		for (std::size_t k = 0; k < senders[i].size(); ++k)
		{
			const std::string text = prefix + "-" + std::to_string(i) + "-" + std::to_string(k);
			CPPUNIT_ASSERT_EQUAL(text, senders[i][k]->receiveType("ack")->getValue<std::string>("clientMsgId"));
			sent.insert(text);
		}
		for (auto& receiver: receivers[i])
		{
			std::set<std::string> received;
			for (std::size_t n = 0; n < sent.size(); ++n) received.insert(receiver->receiveType("chatmsg")->getValue<std::string>("text"));
			CPPUNIT_ASSERT(sent == received);
		}
	}
}

Poco::Int64 createGroup(TestServer& server, const Account& creator, Poco::Int64 member)
{
	HttpClient http(server.httpPort());
	http.setBearer(creator.token);
	HttpReply reply = http.postJson("/groups", "{\"name\":\"Reload\",\"memberIds\":[" + std::to_string(member) + "]}");
	CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 201, reply.status);
	return reply.json()->getValue<Poco::Int64>("id");
}

/// A groupmsg frame from sender reaches receiver.
void expectGroupFrame(WsClient& sender, WsClient& receiver, Poco::Int64 group, const std::string& text)
{
	sender.sendText("{\"type\":\"groupmsg\",\"groupId\":" + std::to_string(group) + ",\"text\":\"" + text + "\",\"clientMsgId\":\"" + text + "\"}");
	CPPUNIT_ASSERT_EQUAL(text, sender.receiveType("ack")->getValue<std::string>("clientMsgId"));
	CPPUNIT_ASSERT_EQUAL(text, receiver.receiveType("groupmsg")->getValue<std::string>("text"));
}

} // namespace

class WsReloadTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(WsReloadTest);
	CPPUNIT_TEST(reloadOfWsKeepsChatClients);
	CPPUNIT_TEST(reloadOfGroupsKeepsItsFrames);
	CPPUNIT_TEST(reloadKeepsPresenceSubscriptions);
	CPPUNIT_TEST(reloadKeepsAuthDeadlines);
	CPPUNIT_TEST(reloadAppliesSettingsButNotEndpointOptions);
	CPPUNIT_TEST_SUITE_END();

public:
	void reloadOfWsKeepsChatClients()
	{
		auto server = startReloadServer();
		// 200 connections: 20 pairs of users with 5 connections each (hashing passwords is slow).
		const int PAIRS = 20;
		const int EACH = 5;
		std::vector<Account> senders, receivers;
		std::vector<std::vector<std::unique_ptr<WsClient>>> a(PAIRS), b(PAIRS);
		for (int i = 0; i < PAIRS; ++i)
		{
			senders.push_back(registerAccount(*server, "rla"));
			receivers.push_back(registerAccount(*server, "rlb"));
			postMessage(*server, senders[i], receivers[i].id, "before");  // in each other's presence scope
			for (int k = 0; k < EACH; ++k)
			{
				a[i].push_back(connectAs(*server, senders[i]));
				b[i].push_back(connectAs(*server, receivers[i]));
			}
		}

		// Sent while ws (and groups, which uses it) stop and start again.
		std::string output;
		int status = -1;
		std::thread reload([&] { status = server->palaverctl({"plugins", "reload", "ws"}, output); });
		sendRound(a, receivers, "during");
		reload.join();
		CPPUNIT_ASSERT_EQUAL_MESSAGE(output, 0, status);
		CPPUNIT_ASSERT_MESSAGE(output, output.find("plugin 'ws' reloaded") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(output, output.find("plugin 'groups' restarted") != std::string::npos);
		expectRound(a, b, "during");
		sendRound(a, receivers, "after");
		expectRound(a, b, "after");

		a[0][0]->sendText("{\"type\":\"typing\",\"toUserId\":" + std::to_string(receivers[0].id) + "}");
		for (auto& client: b[0]) CPPUNIT_ASSERT_EQUAL(senders[0].id, client->receiveType("typing")->getValue<Poco::Int64>("fromUserId"));
		b[0].clear();
		CPPUNIT_ASSERT(waitPresence(*a[0][0], receivers[0].id, false));
		b[0].push_back(connectAs(*server, receivers[0]));
		CPPUNIT_ASSERT(waitPresence(*a[0][0], receivers[0].id, true));

		// The groups plugin, restarted with ws, added its frame handlers again.
		const Poco::Int64 group = createGroup(*server, senders[1], receivers[1].id);
		expectGroupFrame(*a[1][0], *b[1][0], group, "g1");
		CPPUNIT_ASSERT(server->running());
	}

	void reloadOfGroupsKeepsItsFrames()
	{
		auto server = startReloadServer();
		Account x = registerAccount(*server, "rgx");
		Account y = registerAccount(*server, "rgy");
		auto wsX = connectAs(*server, x);
		auto wsY = connectAs(*server, y);
		const Poco::Int64 group = createGroup(*server, x, y.id);
		expectGroupFrame(*wsX, *wsY, group, "before");

		std::string output;
		CPPUNIT_ASSERT_EQUAL_MESSAGE(output, 0, server->palaverctl({"plugins", "reload", "groups"}, output));
		CPPUNIT_ASSERT_MESSAGE(output, output.find("plugin 'groups' reloaded") != std::string::npos);
		// The same connections: its handlers were taken back and added by the new version.
		expectGroupFrame(*wsX, *wsY, group, "after");
		wsX->sendText(chatFrame(y.id, "direct", "c1"));
		expectDelivered(*wsX, *wsY, "c1", "direct");
	}

	void reloadKeepsPresenceSubscriptions()
	{
		// presence_scope = conversations (the default): s and t share no chat,
		// so s hears of t only through its subscription.
		auto server = startWsServer();
		Account s = registerAccount(*server, "rps");
		Account t = registerAccount(*server, "rpt");
		auto wsS = connectAs(*server, s);
		wsS->sendText("{\"type\":\"presence\",\"subscribe\":[" + std::to_string(t.id) + "]}");
		CPPUNIT_ASSERT(waitPresence(*wsS, t.id, false));

		std::string output;
		CPPUNIT_ASSERT_EQUAL_MESSAGE(output, 0, server->palaverctl({"plugins", "reload", "ws"}, output));
		// The same connection, subscribed still: told t's presence again, then its changes.
		CPPUNIT_ASSERT(waitPresence(*wsS, t.id, false));
		auto wsT = connectAs(*server, t);
		CPPUNIT_ASSERT(waitPresence(*wsS, t.id, true));
		wsT->close();
		wsT.reset();
		CPPUNIT_ASSERT(waitPresence(*wsS, t.id, false));
		// A second reload hands over what the first one restored.
		CPPUNIT_ASSERT_EQUAL_MESSAGE(output, 0, server->palaverctl({"plugins", "reload", "ws"}, output));
		wsT = connectAs(*server, t);
		CPPUNIT_ASSERT(waitPresence(*wsS, t.id, true));
	}

	void reloadKeepsAuthDeadlines()
	{
		const int TIMEOUT_MS = 4000;
		auto server = startWsServer({"--ws.auth_timeout=" + std::to_string(TIMEOUT_MS / 1000)});
		const Poco::Timestamp opened;
		WsClient waiting(server->wsPort(), "/");  // no credentials: must send an auth frame in time
		std::this_thread::sleep_for(std::chrono::milliseconds(TIMEOUT_MS / 2));
		std::string output;
		CPPUNIT_ASSERT_EQUAL_MESSAGE(output, 0, server->palaverctl({"plugins", "reload", "ws"}, output));
		const Poco::Int64 reloadedMs = opened.elapsed() / 1000;

		CPPUNIT_ASSERT_EQUAL(1008, waiting.waitForClose(2 * TIMEOUT_MS));
		const Poco::Int64 closedMs = opened.elapsed() / 1000;
		// At its first deadline (checked every quarter of the time-out), not
		// a whole new time-out after the reload.
		CPPUNIT_ASSERT_MESSAGE(std::to_string(closedMs), closedMs >= TIMEOUT_MS - 100);
		CPPUNIT_ASSERT_MESSAGE(std::to_string(closedMs) + " ms, reloaded at " + std::to_string(reloadedMs),
			closedMs < std::max<Poco::Int64>(TIMEOUT_MS, reloadedMs) + TIMEOUT_MS / 2);
		// A connection opened after the reload gets the whole time-out.
		const Poco::Timestamp later;
		WsClient fresh(server->wsPort(), "/");
		CPPUNIT_ASSERT_EQUAL(1008, fresh.waitForClose(2 * TIMEOUT_MS));
		CPPUNIT_ASSERT(later.elapsed() / 1000 >= TIMEOUT_MS - 100);
	}

	void reloadAppliesSettingsButNotEndpointOptions()
	{
		const std::string plugins = Poco::TemporaryFile::tempName();
		Poco::File(plugins).createDirectories();
		const auto writeWs = [&plugins](const std::string& extra)
		{
			Poco::FileOutputStream ws(plugins + "/40-ws.ini");
			ws << "[ws]\nlibrary = palaver-ws\nenabled = true\n" << extra;
		};
		{
			Poco::FileOutputStream auth(plugins + "/10-auth.ini");
			auth << "[auth]\nlibrary = palaver-auth\nenabled = true\n";
			Poco::FileOutputStream messages(plugins + "/30-messages.ini");
			messages << "[messages]\nlibrary = palaver-messages\nenabled = true\n";
		}
		writeWs("");
		TestServer::Options options;
		options.pluginsConfigDir = plugins;
		TestServer server(options);
		server.start();
		Account a = registerAccount(server, "rso");
		auto client = connectAs(server, a);

		writeWs("auth_timeout = 1\nmax_frame = 1000\n");
		std::string output;
		CPPUNIT_ASSERT_EQUAL_MESSAGE(output, 0, server.palaverctl({"plugins", "reload", "ws"}, output));
		CPPUNIT_ASSERT(server.waitForOutput("keeps its options across the reload"));
		// max_frame is the endpoint's maxMessage: still 64 KiB (an unknown type is answered, not 1009).
		client->sendText("{\"type\":\"x\",\"pad\":\"" + std::string(2000, 'p') + "\"}");
		CPPUNIT_ASSERT_EQUAL(std::string("bad_request"), client->receiveType("error")->getValue<std::string>("code"));
		// auth_timeout is the plugin's: 1 s from now on.
		const Poco::Timestamp opened;
		WsClient waiting(server.wsPort(), "/");
		CPPUNIT_ASSERT_EQUAL(1008, waiting.waitForClose(5000));
		CPPUNIT_ASSERT(opened.elapsed() / 1000 < 2500);
		Poco::File(plugins).remove(true);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(WsReloadTest);
