// The ws Hub across a run-time reload (plugins/ws/src/Hub.cpp, ReloadState):
// the next version's hub takes this node's users as online until their
// connections resume (no second "online" for them) and tells, once the
// previous version has ended, that those whose connections closed during the
// reload are offline; ended sessions and other nodes' users carry over.
#include "Hub.h"
#include "ReloadState.h"
#include "Settings.h"
#include <cppunit/extensions/HelperMacros.h>
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

using namespace Palaver;
using namespace Palaver::Ws;

namespace {

/// A connection that records the text frames sent to it.
class RecordingSocket: public WebSocket
{
public:
	explicit RecordingSocket(std::uint64_t id): _id(id) {}

	std::uint64_t id() const override { return _id; }
	const Poco::Net::SocketAddress& peer() const override { return _peer; }
	void send(const WebSocketFrame::Ptr& frame) override { sent.push_back(frame->bytes()); }
	void close(std::uint16_t code, const std::string&) override { closedWith = code; }
	void post(Task task) override { task(*this); }
	void setUser(Poco::Int64 userId, const std::string& session) override { _userId = userId; _session = session; }
	Poco::Int64 userId() const override { return _userId; }
	std::string session() const override { return _session; }

	/// A text frame of this JSON was sent.
	bool heard(const std::string& json) const
	{
		return std::find(sent.begin(), sent.end(), WebSocketFrame::text(json)->bytes()) != sent.end();
	}

	std::vector<std::string> sent;  /// encoded frames
	std::uint16_t closedWith = 0;

private:
	const std::uint64_t _id;
	Poco::Net::SocketAddress _peer;
	Poco::Int64 _userId = 0;
	std::string _session;
};

/// An endpoint whose broadcast and pushes go nowhere (the hub sends to members itself).
class QuietEndpoint: public WebSocketEndpoint
{
public:
	void mount(const std::string&) override {}
	Poco::UInt16 listen(const Poco::Net::SocketAddress&) override { return 0; }
	void pushToUser(Poco::Int64, const WebSocketFrame::Ptr&) override {}
	void broadcast(const WebSocketFrame::Ptr&) override {}
	void closeSession(const std::string&, std::uint16_t, const std::string&) override {}
	std::size_t connectionCount(Poco::Int64) const override { return 0; }
};

Settings everyoneHearsPresence()
{
	Settings settings;
	settings.presenceScope = Settings::PresenceScope::All;
	return settings;
}

struct Member
{
	std::shared_ptr<RecordingSocket> socket;
	Hub::Registration registration;
};

Member join(Hub& hub, Poco::Int64 userId, std::uint64_t socketId, const std::string& session = "")
{
	Member member;
	member.socket = std::make_shared<RecordingSocket>(socketId);
	auto connection = std::make_shared<ChatConnection>();
	connection->session = session;
	member.registration = hub.add(userId, Hub::Member{member.socket, connection}, 100);
	return member;
}

} // namespace

class HubHandoverTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(HubHandoverTest);
	CPPUNIT_TEST(previousUsersStayOnlineUntilTheGraceEnds);
	CPPUNIT_TEST(endedSessionsAndOtherNodesCarryOver);
	CPPUNIT_TEST_SUITE_END();

public:
	void previousUsersStayOnlineUntilTheGraceEnds()
	{
		const Settings settings = everyoneHearsPresence();
		Counter framesOut;
		Hub before(settings, framesOut);
		before.setEndpoint(std::make_shared<QuietEndpoint>());
		join(before, 1, 11);
		join(before, 2, 12);
		join(before, 3, 13);
		ReloadState state;
		before.saveTo(state);
		std::sort(state.localUsers.begin(), state.localUsers.end());
		CPPUNIT_ASSERT(state.localUsers == std::vector<Poco::Int64>({1, 2, 3}));

		Hub after(settings, framesOut);
		after.restoreFrom(ReloadState::fromJson(state.toJson()));
		after.setEndpoint(std::make_shared<QuietEndpoint>());
		// 1 resumes first: its list names all three, as online before the reload.
		Member one = join(after, 1, 11);
		std::vector<Poco::Int64> listed = one.registration.online;
		std::sort(listed.begin(), listed.end());
		CPPUNIT_ASSERT(listed == std::vector<Poco::Int64>({1, 2, 3}));
		CPPUNIT_ASSERT(after.isOnline(3));
		// 2 resumes: no second "online" for it.
		join(after, 2, 12);
		CPPUNIT_ASSERT(!one.socket->heard(Hub::presenceJson(2, true)));
		// 3's connection closed during the reload: offline once the grace ends, 2 stays.
		after.endPreviousVersion();
		CPPUNIT_ASSERT(one.socket->heard(Hub::presenceJson(3, false)));
		CPPUNIT_ASSERT(!one.socket->heard(Hub::presenceJson(2, false)));
		CPPUNIT_ASSERT(!after.isOnline(3));
		CPPUNIT_ASSERT(after.isOnline(2));
		// A resumed user's last connection closing is told at once.
		after.remove(2, 12);
		CPPUNIT_ASSERT(one.socket->heard(Hub::presenceJson(2, false)));
	}

	void endedSessionsAndOtherNodesCarryOver()
	{
		const Settings settings = everyoneHearsPresence();
		Counter framesOut;
		Hub before(settings, framesOut);
		before.setEndpoint(std::make_shared<QuietEndpoint>());
		before.endSessions(5, {"gone"});
		before.replaceNode("node-b", {8, 9});
		ReloadState state;
		before.saveTo(state);

		Hub after(settings, framesOut);
		after.restoreFrom(ReloadState::fromJson(state.toJson()));
		after.setEndpoint(std::make_shared<QuietEndpoint>());
		CPPUNIT_ASSERT(after.isOnline(8));
		CPPUNIT_ASSERT(after.isOnline(9));
		// Its token look-up raced the end of its session: closed as it registers.
		Member late = join(after, 5, 51, "gone");
		CPPUNIT_ASSERT_EQUAL(std::uint16_t(WebSocketFrame::CloseCode::SessionEnded), late.socket->closedWith);
		// node-b's users leave as that node says so.
		after.replaceNode("node-b", {9});
		CPPUNIT_ASSERT(late.socket->heard(Hub::presenceJson(8, false)));
		CPPUNIT_ASSERT(after.isOnline(9));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(HubHandoverTest);
