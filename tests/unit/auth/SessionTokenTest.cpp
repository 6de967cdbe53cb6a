// Unit tests of SessionToken: random, well-formed, stored only as a hash.
#include "SessionToken.h"
#include <cppunit/extensions/HelperMacros.h>
#include <set>
#include <string>

using Palaver::Auth::SessionToken;

class SessionTokenTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(SessionTokenTest);
	CPPUNIT_TEST(testGenerate);
	CPPUNIT_TEST(testHash);
	CPPUNIT_TEST(testWellFormed);
	CPPUNIT_TEST_SUITE_END();

public:
	void testGenerate()
	{
		std::set<std::string> seen;
		for (int i = 0; i < 100; ++i)
		{
			const std::string token = SessionToken::generate();
			CPPUNIT_ASSERT_EQUAL(std::size_t(64), token.size());  // 256 bits
			CPPUNIT_ASSERT(SessionToken::wellFormed(token));
			CPPUNIT_ASSERT(seen.insert(token).second);
		}
		CPPUNIT_ASSERT_EQUAL(std::size_t(32), SessionToken::randomHex(16).size());
	}

	void testHash()
	{
		// SHA-256("abc")
		CPPUNIT_ASSERT_EQUAL(std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"), SessionToken::hash("abc"));
		const std::string token = SessionToken::generate();
		CPPUNIT_ASSERT(SessionToken::hash(token) != token);
		CPPUNIT_ASSERT_EQUAL(SessionToken::hash(token), SessionToken::hash(token));
	}

	void testWellFormed()
	{
		CPPUNIT_ASSERT(!SessionToken::wellFormed(""));
		CPPUNIT_ASSERT(!SessionToken::wellFormed(std::string(63, 'a')));
		CPPUNIT_ASSERT(!SessionToken::wellFormed(std::string(65, 'a')));
		CPPUNIT_ASSERT(!SessionToken::wellFormed(std::string(64, 'A')));
		CPPUNIT_ASSERT(!SessionToken::wellFormed(std::string(63, 'a') + "g"));
		CPPUNIT_ASSERT(SessionToken::wellFormed(std::string(64, 'f')));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(SessionTokenTest);
