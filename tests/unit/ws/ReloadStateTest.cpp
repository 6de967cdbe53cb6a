// Unit tests of what the ws plugin hands to its next version across a
// run-time reload (plugins/ws/src/ReloadState.cpp): every part comes back
// as it was saved, and a state of another format is ignored, not thrown at.
#include "ReloadState.h"
#include <cppunit/extensions/HelperMacros.h>
#include <string>
#include <vector>

using Palaver::Ws::ReloadState;

class ReloadStateTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ReloadStateTest);
	CPPUNIT_TEST(everyPartComesBack);
	CPPUNIT_TEST(unreadableStatesAreEmpty);
	CPPUNIT_TEST_SUITE_END();

public:
	void everyPartComesBack()
	{
		ReloadState saved;
		// The largest socket id: a JSON number would lose it.
		saved.connections[18446744073709551615ull].authDeadlineMs = 123456789;
		saved.connections[7].subscribed = {3, 1, 2};
		saved.localUsers = {4, 9};
		saved.endedSessions = {{10, "s1"}, {20, "s2"}};
		saved.remoteUsers["node-b"] = {5, 6};
		saved.nodesHeard["node-b"] = 1700000000000000;

		const ReloadState restored = ReloadState::fromJson(saved.toJson());
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), restored.connections.size());
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(123456789), restored.connections.at(18446744073709551615ull).authDeadlineMs);
		CPPUNIT_ASSERT(restored.connections.at(18446744073709551615ull).subscribed.empty());
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(0), restored.connections.at(7).authDeadlineMs);
		CPPUNIT_ASSERT(restored.connections.at(7).subscribed == std::vector<Poco::Int64>({3, 1, 2}));
		CPPUNIT_ASSERT(restored.localUsers == saved.localUsers);
		CPPUNIT_ASSERT(restored.endedSessions == saved.endedSessions);
		CPPUNIT_ASSERT(restored.remoteUsers == saved.remoteUsers);
		CPPUNIT_ASSERT(restored.nodesHeard == saved.nodesHeard);
	}

	void unreadableStatesAreEmpty()
	{
		for (const std::string& state: {std::string(""), std::string("not json"), std::string("[1,2]"),
			std::string("{\"format\":2,\"connections\":[]}"),
			std::string("{\"format\":1,\"connections\":[{\"id\":\"x\",\"authDeadlineMs\":1,\"subscribed\":[]}]}"),
			std::string("{\"format\":1,\"connections\":[{\"id\":\"1\"}]}")})
		{
			const ReloadState restored = ReloadState::fromJson(state);
			CPPUNIT_ASSERT_MESSAGE(state, restored.connections.empty());
			CPPUNIT_ASSERT_MESSAGE(state, restored.localUsers.empty());
			CPPUNIT_ASSERT_MESSAGE(state, restored.endedSessions.empty());
			CPPUNIT_ASSERT_MESSAGE(state, restored.remoteUsers.empty());
		}
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(ReloadStateTest);
