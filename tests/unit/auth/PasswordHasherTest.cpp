// Unit tests of PasswordHasher: argon2id hashes through libsodium.
#include "PasswordHasher.h"
#include "palaver/HttpError.h"
#include <Poco/Exception.h>
#include <cppunit/extensions/HelperMacros.h>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

using Palaver::Auth::PasswordHasher;

class PasswordHasherTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(PasswordHasherTest);
	CPPUNIT_TEST(testHashAndVerify);
	CPPUNIT_TEST(testSaltedAndArgon2id);
	CPPUNIT_TEST(testDummyVerify);
	CPPUNIT_TEST(testGarbageHash);
	CPPUNIT_TEST(testInteractiveDefaults);
	CPPUNIT_TEST(testLimitsChecked);
	CPPUNIT_TEST(testNeedsRehash);
	CPPUNIT_TEST(testBusy);
	CPPUNIT_TEST(testQueueBounded);
	CPPUNIT_TEST(testWaitersServed);
	CPPUNIT_TEST_SUITE_END();

public:
	void testHashAndVerify()
	{
		PasswordHasher hasher(PasswordHasher::minimum(), 2, 1000);
		const std::string hash = hasher.hash("correct horse");
		CPPUNIT_ASSERT(hasher.verify(hash, "correct horse"));
		CPPUNIT_ASSERT(!hasher.verify(hash, "correct hors"));
		CPPUNIT_ASSERT(!hasher.verify(hash, "correct horse "));
		CPPUNIT_ASSERT(!hasher.verify(hash, ""));
		// Non-ASCII and embedded NUL bytes count.
		const std::string odd("pa\0ss\xC3\xB1", 7);
		const std::string oddHash = hasher.hash(odd);
		CPPUNIT_ASSERT(hasher.verify(oddHash, odd));
		CPPUNIT_ASSERT(!hasher.verify(oddHash, "pa"));
	}

	void testSaltedAndArgon2id()
	{
		PasswordHasher hasher(PasswordHasher::minimum(), 2, 1000);
		const std::string first = hasher.hash("secret123");
		const std::string second = hasher.hash("secret123");
		CPPUNIT_ASSERT(first != second);
		CPPUNIT_ASSERT_EQUAL(std::string("$argon2id$"), first.substr(0, 10));
		CPPUNIT_ASSERT(first.find("secret123") == std::string::npos);
	}

	void testDummyVerify()
	{
		PasswordHasher hasher(PasswordHasher::minimum(), 2, 1000);
		// Must not throw, and nothing it does can succeed.
		hasher.verifyDummy("secret123");
		hasher.verifyDummy("");
	}

	void testGarbageHash()
	{
		PasswordHasher hasher(PasswordHasher::minimum(), 2, 1000);
		CPPUNIT_ASSERT(!hasher.verify("", "secret123"));
		CPPUNIT_ASSERT(!hasher.verify("secret123", "secret123"));
		CPPUNIT_ASSERT(!hasher.verify(std::string(500, '$'), "secret123"));
	}

	void testInteractiveDefaults()
	{
		const PasswordHasher::Limits interactive = PasswordHasher::interactive();
		CPPUNIT_ASSERT(interactive.memLimit >= 64u * 1024 * 1024);
		CPPUNIT_ASSERT(interactive.opsLimit >= 2);
		CPPUNIT_ASSERT(!PasswordHasher::weakerThanInteractive(interactive));
		CPPUNIT_ASSERT(PasswordHasher::weakerThanInteractive(PasswordHasher::minimum()));
	}

	void testLimitsChecked()
	{
		PasswordHasher::Limits tooSmall = PasswordHasher::minimum();
		tooSmall.memLimit = 1024;
		CPPUNIT_ASSERT_THROW(PasswordHasher(tooSmall, 1, 1000), Poco::InvalidArgumentException);
		PasswordHasher::Limits noOps = PasswordHasher::minimum();
		noOps.opsLimit = 0;
		CPPUNIT_ASSERT_THROW(PasswordHasher(noOps, 1, 1000), Poco::InvalidArgumentException);
	}

	void testNeedsRehash()
	{
		PasswordHasher weak(PasswordHasher::minimum(), 1, 1000);
		PasswordHasher::Limits stronger = PasswordHasher::minimum();
		stronger.opsLimit = 2;
		PasswordHasher strong(stronger, 1, 1000);
		const std::string hash = weak.hash("secret123");
		CPPUNIT_ASSERT(!weak.needsRehash(hash));
		CPPUNIT_ASSERT(strong.needsRehash(hash));
		// A hash made with other limits still verifies.
		CPPUNIT_ASSERT(strong.verify(hash, "secret123"));
	}

	void testBusy()
	{
		// One slot, no waiting: of several concurrent hashes, those that find
		// the slot taken get 503 "busy" instead of queueing without bound.
		int done = 0;
		int busy = 0;
		hashConcurrently(PasswordHasher(slowLimits(), 1, 0), 4, done, busy);
		CPPUNIT_ASSERT(done >= 1);
		CPPUNIT_ASSERT(busy >= 1);
		CPPUNIT_ASSERT_EQUAL(4, done + busy);
	}

	void testQueueBounded()
	{
		// A long wait, but nobody may wait: the others are refused at once.
		int done = 0;
		int busy = 0;
		hashConcurrently(PasswordHasher(slowLimits(), 1, 60000, 0), 4, done, busy);
		CPPUNIT_ASSERT(done >= 1);
		CPPUNIT_ASSERT(busy >= 1);
		CPPUNIT_ASSERT_EQUAL(4, done + busy);
	}

	void testWaitersServed()
	{
		// Room to wait and time enough: every hash is done, one after another.
		int done = 0;
		int busy = 0;
		hashConcurrently(PasswordHasher(slowLimits(), 1, 60000, 8), 4, done, busy);
		CPPUNIT_ASSERT_EQUAL(4, done);
		CPPUNIT_ASSERT_EQUAL(0, busy);
	}

private:
	static PasswordHasher::Limits slowLimits()
	{
		PasswordHasher::Limits slow = PasswordHasher::minimum();
		slow.opsLimit = 3;
		slow.memLimit = 32u * 1024 * 1024;
		return slow;
	}

	static void hashConcurrently(PasswordHasher&& hasher, int threadCount, int& done, int& busy)
	{
		std::atomic<int> doneCount{0};
		std::atomic<int> busyCount{0};
		std::atomic<int> ready{0};
		std::vector<std::thread> threads;
		for (int i = 0; i < threadCount; ++i)
		{
			threads.emplace_back([&]()
			{
				// All start together, so that the slot is taken when the others ask.
				++ready;
				while (ready < threadCount) std::this_thread::yield();
				try
				{
					hasher.hash("secret123");
					++doneCount;
				}
				catch (Palaver::HttpError& error)
				{
					if (error.status() == 503 && error.code() == "busy") ++busyCount;
				}
			});
		}
		for (auto& thread: threads) thread.join();
		done = doneCount;
		busy = busyCount;
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(PasswordHasherTest);
