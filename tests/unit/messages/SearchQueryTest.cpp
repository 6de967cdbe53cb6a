// SearchQuery: what GET /search's q becomes (plain words, never FTS syntax).
#include "SearchQuery.h"
#include "palaver/HttpError.h"
#include <cppunit/extensions/HelperMacros.h>

using Palaver::HttpError;
using Palaver::Messages::SearchQuery;

namespace {

std::vector<std::string> words(const std::string& q)
{
	return SearchQuery(q).words();
}

void assertRefused(const std::string& q)
{
	try
	{
		SearchQuery query(q);
		CPPUNIT_FAIL("accepted: " + q);
	}
	catch (HttpError& error)
	{
		CPPUNIT_ASSERT_EQUAL(400, error.status());
		CPPUNIT_ASSERT_EQUAL(std::string("q"), error.field());
	}
}

} // namespace

class SearchQueryTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(SearchQueryTest);
	CPPUNIT_TEST(testWords);
	CPPUNIT_TEST(testSyntaxSeparatesWords);
	CPPUNIT_TEST(testExpressions);
	CPPUNIT_TEST(testRefused);
	CPPUNIT_TEST_SUITE_END();

public:
	void testWords()
	{
		CPPUNIT_ASSERT(words("hola") == std::vector<std::string>({"hola"}));
		CPPUNIT_ASSERT(words("  Canci\xC3\xB3n  de 2026 ") == std::vector<std::string>({"Canci\xC3\xB3n", "de", "2026"}));
		// Letters of any script and private-use characters; emoji separate.
		CPPUNIT_ASSERT(words("\xD0\xBC\xD0\xB8\xD1\x80\xF0\x9F\x98\x80\xE6\x97\xA5\xE6\x9C\xAC\xEE\x80\x80")
			== std::vector<std::string>({"\xD0\xBC\xD0\xB8\xD1\x80", "\xE6\x97\xA5\xE6\x9C\xAC\xEE\x80\x80"}));
	}

	void testSyntaxSeparatesWords()
	{
		CPPUNIT_ASSERT(words("\"quokka* NEAR(a, b)") == std::vector<std::string>({"quokka", "NEAR", "a", "b"}));
		CPPUNIT_ASSERT(words("-well-known {text}:x ^y 'z' \\w") == std::vector<std::string>({"well", "known", "text", "x", "y", "z", "w"}));
	}

	void testExpressions()
	{
		SearchQuery query("cancion NEAR \"pla*");
		CPPUNIT_ASSERT_EQUAL(std::string("\"cancion\"* AND \"NEAR\"* AND \"pla\"*"), query.ftsExpression());
		CPPUNIT_ASSERT_EQUAL(std::string("cancion NEAR pla"), query.plainText());
	}

	void testRefused()
	{
		assertRefused("");
		assertRefused("   ");
		assertRefused("\"*\" - ()");
		assertRefused("\xFF\xFE");
		assertRefused(std::string(201, 'x'));
		SearchQuery longest(std::string(200, 'x'));
		// 200 characters of two bytes each are 400 bytes, still allowed.
		std::string accented;
		for (int i = 0; i < 200; ++i) accented += "\xC3\xB3";
		SearchQuery wide(accented);
		assertRefused(accented + "x");
		assertRefused("a b c d e f g h i j k");
		SearchQuery ten("a b c d e f g h i j");
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(SearchQueryTest);
