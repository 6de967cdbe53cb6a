// Unit tests of the groups plugin's member cache (plugins/groups/src/
// MemberCache.cpp): read once, read again after a change, a read that raced
// a change not kept.
#include "MemberCache.h"
#include <cppunit/extensions/HelperMacros.h>
#include <functional>

using Palaver::Groups::MemberCache;

class MemberCacheTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(MemberCacheTest);
	CPPUNIT_TEST(testReadOnce);
	CPPUNIT_TEST(testInvalidate);
	CPPUNIT_TEST(testReadRacingAChange);
	CPPUNIT_TEST(testContains);
	CPPUNIT_TEST_SUITE_END();

public:
	void testReadOnce()
	{
		int reads = 0;
		MemberCache cache([&reads](Poco::Int64 groupId)
		{
			++reads;
			return std::vector<MemberCache::Reader>{{groupId * 10, 0}, {groupId * 10 + 1, 5}};
		});
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), cache.members(7)->size());
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(71), cache.members(7)->at(1).userId);
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(5), cache.members(7)->at(1).joinedAfter);
		CPPUNIT_ASSERT_EQUAL(1, reads);
		cache.members(8);
		CPPUNIT_ASSERT_EQUAL(2, reads);
	}

	void testInvalidate()
	{
		std::vector<MemberCache::Reader> stored{{1, 0}};
		MemberCache cache([&stored](Poco::Int64) { return stored; });
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), cache.members(3)->size());
		stored.push_back({2, 9});
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), cache.members(3)->size());  // still the copy in memory
		cache.invalidate(3);
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), cache.members(3)->size());
		// A deleted group: no members.
		stored.clear();
		cache.invalidate(3);
		CPPUNIT_ASSERT(cache.members(3)->empty());
	}

	void testReadRacingAChange()
	{
		// The change lands while the members are being read: that read is
		// answered but not kept, the next one reads again.
		int reads = 0;
		MemberCache* self = nullptr;
		MemberCache cache([&reads, &self](Poco::Int64 groupId)
		{
			if (++reads == 1) self->invalidate(groupId);
			return std::vector<MemberCache::Reader>{{reads, 0}};
		});
		self = &cache;
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(1), cache.members(4)->at(0).userId);
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(2), cache.members(4)->at(0).userId);
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(2), cache.members(4)->at(0).userId);
		CPPUNIT_ASSERT_EQUAL(2, reads);
	}

	void testContains()
	{
		const std::vector<MemberCache::Reader> readers{{4, 0}, {6, 1}};
		CPPUNIT_ASSERT(MemberCache::contains(readers, 6));
		CPPUNIT_ASSERT(!MemberCache::contains(readers, 5));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(MemberCacheTest);
