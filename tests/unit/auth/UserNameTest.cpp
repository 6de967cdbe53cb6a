// User names that cannot mislead a reader: hidden characters refused, NFC,
// one key for names that differ by case or width.
#include "UserName.h"
#include "palaver/HttpError.h"
#include <cppunit/extensions/HelperMacros.h>

using Palaver::Auth::UserName;
using Palaver::HttpError;

namespace {

// The validation error's message for raw ("" when the name is accepted).
std::string refusal(const std::string& raw)
{
	try
	{
		UserName::checked(raw);
		return "";
	}
	catch (HttpError& e)
	{
		CPPUNIT_ASSERT_EQUAL(400, e.status());
		CPPUNIT_ASSERT_EQUAL(std::string("username"), e.field());
		return e.message();
	}
}

} // namespace

class UserNameTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(UserNameTest);
	CPPUNIT_TEST(testHiddenCharactersRefused);
	CPPUNIT_TEST(testVisibleNamesAccepted);
	CPPUNIT_TEST(testNfc);
	CPPUNIT_TEST(testKey);
	CPPUNIT_TEST_SUITE_END();

public:
	void testHiddenCharactersRefused()
	{
		for (const char* name: {
			"ali\x01" "ce",          // C0 control
			"alice\x7F",             // DEL
			"ali\xC2\x85" "ce",      // U+0085 NEL (C1)
			"ali\xC2\x9B" "ce",      // U+009B CSI (C1)
			"\xE2\x80\xAE" "ecila",  // U+202E RIGHT-TO-LEFT OVERRIDE
			"alice\xE2\x80\xAA",     // U+202A LEFT-TO-RIGHT EMBEDDING
			"alice\xE2\x81\xA6",     // U+2066 LEFT-TO-RIGHT ISOLATE
			"alice\xE2\x81\xA9",     // U+2069 POP DIRECTIONAL ISOLATE
			"al\xE2\x80\x8B" "ice",  // U+200B ZERO WIDTH SPACE
			"al\xE2\x80\x8D" "ice",  // U+200D ZERO WIDTH JOINER
			"alice\xEF\xBB\xBF",     // U+FEFF ZERO WIDTH NO-BREAK SPACE
			"ali\xC2\xAD" "ce",      // U+00AD SOFT HYPHEN
			"alice\xC2\xA0",         // U+00A0 NO-BREAK SPACE at the end
			"alice\xE2\x80\xA8",     // U+2028 LINE SEPARATOR
			"\xE3\x85\xA4",          // U+3164 HANGUL FILLER
			"ali\xCD\x8F" "ce",      // U+034F COMBINING GRAPHEME JOINER
			"alice\xEE\x80\x80",     // U+E000 private use
		})
			CPPUNIT_ASSERT_MESSAGE(name, !refusal(name).empty());
		CPPUNIT_ASSERT(refusal("\xE2\x80\xAE" "ecila").find("U+202E") != std::string::npos);
		CPPUNIT_ASSERT(!refusal("").empty());
		CPPUNIT_ASSERT(!refusal(" alice").empty());
		CPPUNIT_ASSERT(!refusal("alice ").empty());
		CPPUNIT_ASSERT(!refusal("\xC3\x28").empty());
		CPPUNIT_ASSERT(!refusal(std::string(181, 'a')).empty());
	}

	void testVisibleNamesAccepted()
	{
		for (const char* name: {"alice", "Ana María", "José", "日本語の名前", "Zoë 😀", "\xE2\x9D\xA4\xEF\xB8\x8F fan", "שרה", "o'brien-smith_2"})
			CPPUNIT_ASSERT_EQUAL_MESSAGE(name, std::string(), refusal(name));
		CPPUNIT_ASSERT_EQUAL(std::string(), refusal(std::string(180, 'a')));
	}

	void testNfc()
	{
		// "José" with a combining acute accent is stored precomposed.
		CPPUNIT_ASSERT_EQUAL(std::string("Jos\xC3\xA9"), UserName::checked("Jose\xCC\x81"));
		CPPUNIT_ASSERT_EQUAL(std::string("Jos\xC3\xA9"), UserName::normalized("Jose\xCC\x81"));
	}

	void testKey()
	{
		CPPUNIT_ASSERT_EQUAL(UserName::key("alice"), UserName::key("Alice"));
		CPPUNIT_ASSERT_EQUAL(UserName::key("alice"), UserName::key("ALICE"));
		CPPUNIT_ASSERT_EQUAL(UserName::key("alice"), UserName::key("\xEF\xBD\x81\xEF\xBD\x8C\xEF\xBD\x89\xEF\xBD\x83\xEF\xBD\x85"));  // fullwidth
		CPPUNIT_ASSERT_EQUAL(UserName::key("strasse"), UserName::key("Stra\xC3\x9F" "e"));
		CPPUNIT_ASSERT_EQUAL(UserName::key("Jos\xC3\xA9"), UserName::key("JOSE\xCC\x81"));
		CPPUNIT_ASSERT(UserName::key("alice") != UserName::key("alicia"));
		CPPUNIT_ASSERT(UserName::key("jose") != UserName::key("Jos\xC3\xA9"));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(UserNameTest);
