// Unit tests of who hears of a user's presence with [ws] presence_scope =
// conversations (plugins/ws/src/PresenceAudience.cpp): direct partners,
// groups and their changes, users leaving, chats loaded while things change.
#include "PresenceAudience.h"
#include <cppunit/extensions/HelperMacros.h>
#include <set>

using Palaver::Ws::PresenceAudience;

namespace {

std::set<Poco::Int64> watchers(const PresenceAudience& audience, Poco::Int64 userId)
{
	std::unordered_set<Poco::Int64> found;
	audience.watchersOf(userId, found);
	return std::set<Poco::Int64>(found.begin(), found.end());
}

std::set<Poco::Int64> partners(const PresenceAudience& audience, Poco::Int64 userId)
{
	const std::unordered_set<Poco::Int64> found = audience.partnersOf(userId);
	return std::set<Poco::Int64>(found.begin(), found.end());
}

void connect(PresenceAudience& audience, Poco::Int64 userId, const PresenceAudience::Chats& chats)
{
	const std::uint64_t ticket = audience.expect(userId);
	CPPUNIT_ASSERT(audience.install(userId, ticket, chats, false) == PresenceAudience::Installed::Taken);
}

PresenceAudience::Chats direct(std::vector<Poco::Int64> partners)
{
	PresenceAudience::Chats chats;
	chats.partners = std::move(partners);
	return chats;
}

} // namespace

class PresenceAudienceTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(PresenceAudienceTest);
	CPPUNIT_TEST(testDirectPartners);
	CPPUNIT_TEST(testGroups);
	CPPUNIT_TEST(testGroupChanges);
	CPPUNIT_TEST(testForget);
	CPPUNIT_TEST(testChangesWhileLoading);
	CPPUNIT_TEST_SUITE_END();

public:
	void testDirectPartners()
	{
		PresenceAudience audience;
		connect(audience, 1, direct({2, 3}));
		connect(audience, 2, direct({1}));
		// 1 and 2 are here: 3's presence goes to 1 only, 1's to 2, 4's to nobody.
		CPPUNIT_ASSERT(watchers(audience, 3) == std::set<Poco::Int64>({1}));
		CPPUNIT_ASSERT(watchers(audience, 1) == std::set<Poco::Int64>({2}));
		CPPUNIT_ASSERT(watchers(audience, 4).empty());
		CPPUNIT_ASSERT(partners(audience, 1) == std::set<Poco::Int64>({2, 3}));
		// A first message between 2 and 4 makes them partners, once.
		CPPUNIT_ASSERT(audience.addPartner(2, 4));
		CPPUNIT_ASSERT(!audience.addPartner(2, 4));
		CPPUNIT_ASSERT(!audience.addPartner(4, 2));  // 4 is not connected here
		CPPUNIT_ASSERT(watchers(audience, 4) == std::set<Poco::Int64>({2}));
	}

	void testGroups()
	{
		PresenceAudience audience;
		PresenceAudience::Chats chats;
		chats.groups.push_back({9, {1, 5, 6}});
		connect(audience, 1, chats);
		connect(audience, 5, chats);
		CPPUNIT_ASSERT(watchers(audience, 6) == std::set<Poco::Int64>({1, 5}));
		CPPUNIT_ASSERT(watchers(audience, 1) == std::set<Poco::Int64>({5}));
		CPPUNIT_ASSERT(partners(audience, 1) == std::set<Poco::Int64>({5, 6}));
		// A user in a group and a direct chat with 1 is counted once.
		audience.addPartner(1, 6);
		CPPUNIT_ASSERT(watchers(audience, 6) == std::set<Poco::Int64>({1, 5}));
	}

	void testGroupChanges()
	{
		PresenceAudience audience;
		connect(audience, 1, direct({}));
		connect(audience, 2, direct({}));
		// A new group of 1 and 3; then 2 joins and 1 leaves; then it is deleted.
		audience.setGroupMembers(9, {1, 3});
		CPPUNIT_ASSERT(watchers(audience, 3) == std::set<Poco::Int64>({1}));
		audience.setGroupMembers(9, {2, 3});
		CPPUNIT_ASSERT(watchers(audience, 3) == std::set<Poco::Int64>({2}));
		CPPUNIT_ASSERT(watchers(audience, 1).empty());
		CPPUNIT_ASSERT(partners(audience, 1).empty());
		CPPUNIT_ASSERT(partners(audience, 2) == std::set<Poco::Int64>({3}));
		audience.setGroupMembers(9, {});
		CPPUNIT_ASSERT(watchers(audience, 3).empty());
		CPPUNIT_ASSERT(partners(audience, 2).empty());
		// A group without a member here is not kept.
		audience.setGroupMembers(10, {7, 8});
		CPPUNIT_ASSERT(watchers(audience, 7).empty());
	}

	void testForget()
	{
		PresenceAudience audience;
		PresenceAudience::Chats chats = direct({3});
		chats.groups.push_back({9, {1, 4}});
		connect(audience, 1, chats);
		audience.forget(1);
		CPPUNIT_ASSERT(!audience.loaded(1));
		CPPUNIT_ASSERT(watchers(audience, 3).empty());
		CPPUNIT_ASSERT(watchers(audience, 4).empty());
		// Connected again: the group is tracked afresh from the loaded members.
		chats.groups[0].second = {1, 5};
		connect(audience, 1, chats);
		CPPUNIT_ASSERT(watchers(audience, 5) == std::set<Poco::Int64>({1}));
		CPPUNIT_ASSERT(watchers(audience, 4).empty());
	}

	void testChangesWhileLoading()
	{
		PresenceAudience audience;
		// A direct message during the load is kept.
		std::uint64_t ticket = audience.expect(1);
		CPPUNIT_ASSERT(!audience.addPartner(1, 7));
		CPPUNIT_ASSERT(audience.install(1, ticket, direct({2}), false) == PresenceAudience::Installed::Taken);
		CPPUNIT_ASSERT(partners(audience, 1) == std::set<Poco::Int64>({2, 7}));
		// A group change of a user being loaded: loaded again (or forced).
		ticket = audience.expect(3);
		audience.setGroupMembers(9, {3, 4});
		CPPUNIT_ASSERT(audience.install(3, ticket, direct({}), false) == PresenceAudience::Installed::Stale);
		PresenceAudience::Chats chats;
		chats.groups.push_back({9, {3, 4}});
		CPPUNIT_ASSERT(audience.install(3, ticket, chats, false) == PresenceAudience::Installed::Taken);
		CPPUNIT_ASSERT(watchers(audience, 4) == std::set<Poco::Int64>({3}));
		// A load for a connection that left (and came back) is dropped.
		const std::uint64_t old = audience.expect(5);
		audience.forget(5);
		CPPUNIT_ASSERT(audience.install(5, old, direct({6}), false) == PresenceAudience::Installed::Outdated);
		const std::uint64_t current = audience.expect(5);
		CPPUNIT_ASSERT(audience.install(5, old, direct({6}), false) == PresenceAudience::Installed::Outdated);
		CPPUNIT_ASSERT(!audience.loaded(5));
		CPPUNIT_ASSERT(audience.install(5, current, direct({6}), true) == PresenceAudience::Installed::Taken);
		CPPUNIT_ASSERT(watchers(audience, 6) == std::set<Poco::Int64>({5}));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(PresenceAudienceTest);
