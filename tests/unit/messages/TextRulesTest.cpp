// TextRules and KnownUsers: what a message text may be, and the id cache.
#include "KnownUsers.h"
#include "TextRules.h"
#include "palaver/HttpError.h"
#include <cppunit/extensions/HelperMacros.h>

using Palaver::HttpError;
using Palaver::Messages::KnownUsers;
using Palaver::Messages::TextRules;

class TextRulesTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(TextRulesTest);
	CPPUNIT_TEST(testAcceptsOrdinaryText);
	CPPUNIT_TEST(testRefusesEmpty);
	CPPUNIT_TEST(testRefusesBlank);
	CPPUNIT_TEST(testCountsCodePointsNotBytes);
	CPPUNIT_TEST(testRefusesTooLong);
	CPPUNIT_TEST(testRefusesInvalidUtf8);
	CPPUNIT_TEST(testKnownUsersBounded);
	CPPUNIT_TEST_SUITE_END();

public:
	void testAcceptsOrdinaryText()
	{
		TextRules rules(10);
		rules.check("hola");
		rules.check(" a ");
		rules.check("\xF0\x9F\x98\x80");  // an emoji is not blank
		CPPUNIT_ASSERT(!TextRules::isBlank("  x"));
	}

	void testRefusesEmpty()
	{
		assertRefused(TextRules(10), "", "empty");
	}

	void testRefusesBlank()
	{
		TextRules rules(100);
		assertRefused(rules, " ", "blank");
		assertRefused(rules, " \t\r\n ", "blank");
		assertRefused(rules, "\xC2\xA0", "blank");            // NBSP
		assertRefused(rules, "\xE3\x80\x80 \xE2\x80\x8B", "blank");  // ideographic space, ZWSP
	}

	void testCountsCodePointsNotBytes()
	{
		TextRules rules(4);
		rules.check("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9");  // 4 x "é": 8 bytes, 4 characters
		rules.check("\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80");
		assertRefused(rules, "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", "at most 4");
	}

	void testRefusesTooLong()
	{
		TextRules rules;
		CPPUNIT_ASSERT_EQUAL(std::size_t(4096), rules.maxLength());
		rules.check(std::string(4096, 'a'));
		assertRefused(rules, std::string(4097, 'a'), "at most 4096");
	}

	void testRefusesInvalidUtf8()
	{
		TextRules rules(100);
		assertRefused(rules, "ab\xFF", "UTF-8");
		assertRefused(rules, "\xC0\xAF", "UTF-8");          // overlong "/"
		assertRefused(rules, "\xED\xA0\x80", "UTF-8");      // a surrogate
		assertRefused(rules, "\xE2\x82", "UTF-8");          // cut short
	}

	void testKnownUsersBounded()
	{
		KnownUsers known(3);
		known.add(1);
		known.add(2);
		known.add(3);
		CPPUNIT_ASSERT(known.contains(1) && known.contains(3));
		CPPUNIT_ASSERT(!known.contains(4));
		known.add(4);  // full: starts over
		CPPUNIT_ASSERT(known.size() <= 3);
		CPPUNIT_ASSERT(known.contains(4));
		KnownUsers none(0);
		none.add(1);
		CPPUNIT_ASSERT(!none.contains(1));
	}

private:
	static void assertRefused(const TextRules& rules, const std::string& text, const std::string& expected)
	{
		try
		{
			rules.check(text);
			CPPUNIT_FAIL("accepted a text that should fail with: " + expected);
		}
		catch (HttpError& e)
		{
			CPPUNIT_ASSERT_EQUAL(400, e.status());
			CPPUNIT_ASSERT_EQUAL(std::string("validation_failed"), e.code());
			CPPUNIT_ASSERT_EQUAL(std::string("text"), e.field());
			CPPUNIT_ASSERT_MESSAGE(e.message(), e.message().find(expected) != std::string::npos);
		}
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(TextRulesTest);
