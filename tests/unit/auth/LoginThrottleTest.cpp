// Unit tests of LoginThrottle: failed log-ins per name, bounded memory.
#include "LoginThrottle.h"
#include <cppunit/extensions/HelperMacros.h>
#include <string>

using Palaver::Auth::LoginThrottle;

class LoginThrottleTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(LoginThrottleTest);
	CPPUNIT_TEST(testLimit);
	CPPUNIT_TEST(testWindowEnds);
	CPPUNIT_TEST(testSuccessClears);
	CPPUNIT_TEST(testNamesAreSeparate);
	CPPUNIT_TEST(testBounded);
	CPPUNIT_TEST(testLockSurvivesOtherNames);
	CPPUNIT_TEST_SUITE_END();

public:
	void testLimit()
	{
		LoginThrottle throttle(5, 900, 100);
		for (int i = 0; i < 5; ++i)
			CPPUNIT_ASSERT_EQUAL(0, throttle.attempt("ana", 1000 + i));
		CPPUNIT_ASSERT_EQUAL(900 - 10, throttle.attempt("ana", 1010));
		CPPUNIT_ASSERT_EQUAL(1, throttle.attempt("ana", 1899));
	}

	void testWindowEnds()
	{
		LoginThrottle throttle(2, 60, 100);
		CPPUNIT_ASSERT_EQUAL(0, throttle.attempt("ana", 0));
		CPPUNIT_ASSERT_EQUAL(0, throttle.attempt("ana", 1));
		CPPUNIT_ASSERT(throttle.attempt("ana", 59) > 0);
		CPPUNIT_ASSERT_EQUAL(0, throttle.attempt("ana", 60));
		CPPUNIT_ASSERT_EQUAL(0, throttle.attempt("ana", 61));
		CPPUNIT_ASSERT(throttle.attempt("ana", 62) > 0);
	}

	void testSuccessClears()
	{
		LoginThrottle throttle(2, 60, 100);
		CPPUNIT_ASSERT_EQUAL(0, throttle.attempt("ana", 0));
		CPPUNIT_ASSERT_EQUAL(0, throttle.attempt("ana", 1));
		throttle.succeeded("ana");
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), throttle.size());
		CPPUNIT_ASSERT_EQUAL(0, throttle.attempt("ana", 2));
	}

	void testNamesAreSeparate()
	{
		LoginThrottle throttle(1, 60, 100);
		CPPUNIT_ASSERT_EQUAL(0, throttle.attempt("ana", 0));
		CPPUNIT_ASSERT(throttle.attempt("ana", 1) > 0);
		CPPUNIT_ASSERT_EQUAL(0, throttle.attempt("Ana", 1));
		CPPUNIT_ASSERT_EQUAL(0, throttle.attempt("bob", 1));
	}

	void testBounded()
	{
		LoginThrottle throttle(1, 60, 10);
		for (int i = 0; i < 1000; ++i)
			throttle.attempt("user" + std::to_string(i), i / 100);
		// At most 10 names counted and 10 locked.
		CPPUNIT_ASSERT(throttle.size() <= 20);
		// The newest names are kept: the last one is still locked.
		CPPUNIT_ASSERT(throttle.attempt("user999", 9) > 0);
		// Expired entries make room first.
		LoginThrottle expiring(1, 10, 3);
		expiring.attempt("a", 0);
		expiring.attempt("b", 0);
		expiring.attempt("c", 5);
		expiring.attempt("d", 11);
		CPPUNIT_ASSERT(expiring.size() <= 3);
		CPPUNIT_ASSERT(expiring.attempt("c", 12) > 0);
		CPPUNIT_ASSERT(expiring.attempt("d", 12) > 0);
	}

	/// Issue 15: 10,000 names fit, yet 20,000 others tried (even 4 times
	/// each, just below the lock) do not push a lock out.
	void testLockSurvivesOtherNames()
	{
		LoginThrottle throttle(5, 900, 10000);
		for (int i = 0; i < 5; ++i) CPPUNIT_ASSERT_EQUAL(0, throttle.attempt("victim", 0));
		CPPUNIT_ASSERT(throttle.attempt("victim", 0) > 0);
		for (int i = 0; i < 20000; ++i)
		{
			for (int attempt = 0; attempt < 4; ++attempt)
				CPPUNIT_ASSERT_EQUAL(0, throttle.attempt("other" + std::to_string(i), 1 + i / 100));
		}
		CPPUNIT_ASSERT_EQUAL(900 - 300, throttle.attempt("victim", 300));
		CPPUNIT_ASSERT(throttle.size() <= 10001);
		// Its window over, the name may try again.
		CPPUNIT_ASSERT_EQUAL(0, throttle.attempt("victim", 900));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(LoginThrottleTest);
