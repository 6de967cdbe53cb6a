// Unit tests of SessionCache: TTL, the session's own expiry, invalidation
// (also of a look-up racing it), bounded size.
#include "SessionCache.h"
#include <cppunit/extensions/HelperMacros.h>
#include <string>

using Palaver::Auth::SessionCache;
using Palaver::User;

namespace {

const Poco::Int64 SECOND = 1000000;

User user(Poco::Int64 id)
{
	User u;
	u.id = id;
	u.userName = "user" + std::to_string(id);
	u.info = "info";
	return u;
}

std::string hash(int i)
{
	std::string h = std::to_string(i);
	return std::string(64 - h.size(), '0') + h;
}

} // namespace

class SessionCacheTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(SessionCacheTest);
	CPPUNIT_TEST(testHitWithinTtl);
	CPPUNIT_TEST(testTtlEnds);
	CPPUNIT_TEST(testSessionExpiryWins);
	CPPUNIT_TEST(testRemove);
	CPPUNIT_TEST(testRemoveUser);
	CPPUNIT_TEST(testRacingPutRefused);
	CPPUNIT_TEST(testBounded);
	CPPUNIT_TEST(testDisabled);
	CPPUNIT_TEST(testReconfigureShrinks);
	CPPUNIT_TEST_SUITE_END();

public:
	void testHitWithinTtl()
	{
		SessionCache cache(10 * SECOND, 100);
		CPPUNIT_ASSERT(!cache.find(hash(1), 0, 0).isSpecified());
		cache.put(hash(1), user(7), 1000 * SECOND, 0, cache.generation());
		Poco::Optional<User> found = cache.find(hash(1), 5 * SECOND, 9 * SECOND);
		CPPUNIT_ASSERT(found.isSpecified());
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(7), found.value().id);
		CPPUNIT_ASSERT_EQUAL(std::string("user7"), found.value().userName);
		CPPUNIT_ASSERT(!cache.find(hash(2), 5 * SECOND, 9 * SECOND).isSpecified());
	}

	void testTtlEnds()
	{
		SessionCache cache(10 * SECOND, 100);
		cache.put(hash(1), user(7), 1000 * SECOND, 100 * SECOND, cache.generation());
		CPPUNIT_ASSERT(cache.find(hash(1), 0, 110 * SECOND - 1).isSpecified());
		CPPUNIT_ASSERT(!cache.find(hash(1), 0, 110 * SECOND).isSpecified());
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), cache.size());
		// A monotonic clock that seems to go back never extends an entry.
		cache.put(hash(2), user(8), 1000 * SECOND, 100 * SECOND, cache.generation());
		CPPUNIT_ASSERT(!cache.find(hash(2), 0, 99 * SECOND).isSpecified());
	}

	void testSessionExpiryWins()
	{
		// The session ends (wall clock) long before the cache's TTL would.
		SessionCache cache(300 * SECOND, 100);
		cache.put(hash(1), user(7), 50 * SECOND, 0, cache.generation());
		CPPUNIT_ASSERT(cache.find(hash(1), 50 * SECOND - 1, 1).isSpecified());
		CPPUNIT_ASSERT(!cache.find(hash(1), 50 * SECOND, 1).isSpecified());
	}

	void testRemove()
	{
		SessionCache cache(10 * SECOND, 100);
		cache.put(hash(1), user(7), 1000 * SECOND, 0, cache.generation());
		cache.put(hash(2), user(7), 1000 * SECOND, 0, cache.generation());
		cache.remove(hash(1));
		CPPUNIT_ASSERT(!cache.find(hash(1), 0, 0).isSpecified());
		CPPUNIT_ASSERT(cache.find(hash(2), 0, 0).isSpecified());
	}

	void testRemoveUser()
	{
		SessionCache cache(10 * SECOND, 100);
		cache.put(hash(1), user(7), 1000 * SECOND, 0, cache.generation());
		cache.put(hash(2), user(7), 1000 * SECOND, 0, cache.generation());
		cache.put(hash(3), user(8), 1000 * SECOND, 0, cache.generation());
		cache.removeUser(7);
		CPPUNIT_ASSERT(!cache.find(hash(1), 0, 0).isSpecified());
		CPPUNIT_ASSERT(!cache.find(hash(2), 0, 0).isSpecified());
		CPPUNIT_ASSERT(cache.find(hash(3), 0, 0).isSpecified());
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), cache.size());
	}

	void testRacingPutRefused()
	{
		// A look-up read the session, then a log-out removed it before the
		// look-up's put: the revoked session must not come back.
		SessionCache cache(10 * SECOND, 100);
		const std::uint64_t before = cache.generation();
		cache.remove(hash(1));
		cache.put(hash(1), user(7), 1000 * SECOND, 0, before);
		CPPUNIT_ASSERT(!cache.find(hash(1), 0, 0).isSpecified());
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), cache.size());
		cache.put(hash(1), user(7), 1000 * SECOND, 0, cache.generation());
		CPPUNIT_ASSERT(cache.find(hash(1), 0, 0).isSpecified());
	}

	void testBounded()
	{
		SessionCache cache(10 * SECOND, 50);
		for (int i = 0; i < 1000; ++i)
		{
			cache.put(hash(i), user(i), 1000 * SECOND, i, cache.generation());
			CPPUNIT_ASSERT(cache.size() <= 50);
		}
		CPPUNIT_ASSERT_EQUAL(std::size_t(50), cache.size());
		// The oldest went first; the newest 50 are there.
		CPPUNIT_ASSERT(!cache.find(hash(949), 0, 1000).isSpecified());
		CPPUNIT_ASSERT(cache.find(hash(950), 0, 1000).isSpecified());
		CPPUNIT_ASSERT(cache.find(hash(999), 0, 1000).isSpecified());
		// Putting a cached key again does not grow it.
		cache.put(hash(999), user(999), 1000 * SECOND, 1000, cache.generation());
		CPPUNIT_ASSERT_EQUAL(std::size_t(50), cache.size());
	}

	void testDisabled()
	{
		SessionCache cache(0, 100);
		CPPUNIT_ASSERT(!cache.enabled());
		cache.put(hash(1), user(7), 1000 * SECOND, 0, cache.generation());
		CPPUNIT_ASSERT(!cache.find(hash(1), 0, 0).isSpecified());
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), cache.size());
	}

	void testReconfigureShrinks()
	{
		SessionCache cache(10 * SECOND, 100);
		for (int i = 0; i < 100; ++i)
			cache.put(hash(i), user(i), 1000 * SECOND, 0, cache.generation());
		cache.configure(10 * SECOND, 10);
		CPPUNIT_ASSERT_EQUAL(std::size_t(10), cache.size());
		CPPUNIT_ASSERT(cache.find(hash(99), 0, 0).isSpecified());
		cache.configure(0, 10);
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), cache.size());
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(SessionCacheTest);
