// Unit tests of WsTickets: single use, expiry, bounds.
#include "WsTickets.h"
#include "palaver/HttpError.h"
#include <cppunit/extensions/HelperMacros.h>
#include <set>
#include <string>

using Palaver::HttpError;
using Palaver::Auth::WsTickets;

class WsTicketsTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(WsTicketsTest);
	CPPUNIT_TEST(testSingleUse);
	CPPUNIT_TEST(testExpiry);
	CPPUNIT_TEST(testRandomAndLong);
	CPPUNIT_TEST(testPerSessionBound);
	CPPUNIT_TEST(testCapacity);
	CPPUNIT_TEST_SUITE_END();

public:
	void testSingleUse()
	{
		WsTickets tickets(30, 100);
		const std::string ticket = tickets.issue("token-a", 0);
		CPPUNIT_ASSERT_EQUAL(std::string("token-a"), tickets.redeem(ticket, 1000));
		CPPUNIT_ASSERT_EQUAL(std::string(), tickets.redeem(ticket, 1000));
		CPPUNIT_ASSERT_EQUAL(std::string(), tickets.redeem("", 1000));
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), tickets.size());
	}

	void testExpiry()
	{
		WsTickets tickets(30, 100);
		const std::string kept = tickets.issue("token-a", 0);
		const std::string late = tickets.issue("token-a", 0);
		CPPUNIT_ASSERT_EQUAL(std::string("token-a"), tickets.redeem(kept, 29999));
		CPPUNIT_ASSERT_EQUAL(std::string(), tickets.redeem(late, 30000));
		// A new TTL applies to new tickets.
		tickets.setTtl(1);
		const std::string shortLived = tickets.issue("token-a", 0);
		CPPUNIT_ASSERT_EQUAL(std::string(), tickets.redeem(shortLived, 1000));
	}

	void testRandomAndLong()
	{
		WsTickets tickets(30, 1000);
		std::set<std::string> seen;
		for (int i = 0; i < 100; ++i)
		{
			const std::string ticket = tickets.issue("token-" + std::to_string(i), 0);
			CPPUNIT_ASSERT_EQUAL(WsTickets::BYTES * 2, ticket.size());
			CPPUNIT_ASSERT(seen.insert(ticket).second);
		}
		CPPUNIT_ASSERT(WsTickets::BYTES * 8 >= 128);
	}

	void testPerSessionBound()
	{
		WsTickets tickets(30, 1000);
		std::string first;
		for (std::size_t i = 0; i < WsTickets::PER_SESSION; ++i)
		{
			const std::string ticket = tickets.issue("greedy", 0);
			if (i == 0) first = ticket;
		}
		CPPUNIT_ASSERT_THROW(tickets.issue("greedy", 0), HttpError);
		// Another session is not held up; a used ticket frees a place.
		tickets.issue("other", 0);
		CPPUNIT_ASSERT_EQUAL(std::string("greedy"), tickets.redeem(first, 0));
		tickets.issue("greedy", 0);
		// Expired tickets free their places too.
		tickets.issue("greedy", 40000);
	}

	void testCapacity()
	{
		WsTickets tickets(30, 4);
		for (int i = 0; i < 4; ++i) tickets.issue("token-" + std::to_string(i), 0);
		try
		{
			tickets.issue("token-9", 1000);
			CPPUNIT_FAIL("a full table takes no ticket");
		}
		catch (HttpError& error)
		{
			CPPUNIT_ASSERT_EQUAL(503, error.status());
		}
		// Once they have expired, they make room.
		tickets.issue("token-9", 30000);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), tickets.size());
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(WsTicketsTest);
