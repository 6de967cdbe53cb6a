// Which requested paths may name a static file, and the content types.
#include "ContentTypes.h"
#include "SafePath.h"
#include <cppunit/extensions/HelperMacros.h>
#include <string>
#include <vector>

using Palaver::Web::ContentTypes;
using Palaver::Web::SafePath;

class PathsTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(PathsTest);
	CPPUNIT_TEST(acceptsPlainRelativePaths);
	CPPUNIT_TEST(refusesEverythingElse);
	CPPUNIT_TEST(insideComparesWholeSegments);
	CPPUNIT_TEST(contentTypesByExtension);
	CPPUNIT_TEST_SUITE_END();

public:
	void acceptsPlainRelativePaths()
	{
		for (const std::string path: {"index.html", "assets/app.css", "assets/js/main.js", "a", "a-b_c.d.e", "A/B9/c.svg"})
			CPPUNIT_ASSERT_MESSAGE(path, SafePath::isSafe(path));
		CPPUNIT_ASSERT(SafePath::isSafe(std::string(255, 'a')));
	}

	void refusesEverythingElse()
	{
		const std::vector<std::string> refused = {"", "/", "/etc/passwd", "..", "../x", "assets/../x", "assets/..", "./x", "assets/./x",
			".env", "assets/.hidden", "assets//x", "assets/", "assets\\..\\x", "a%2e%2e", "a b", "a?b", "a#b", "a:b",
			"caf\xc3\xa9.js", std::string("a\0b", 3), "a\nb"};
		for (const std::string& path: refused)
			CPPUNIT_ASSERT_MESSAGE(path, !SafePath::isSafe(path));
		CPPUNIT_ASSERT(!SafePath::isSafe(std::string(256, 'a')));
	}

	void insideComparesWholeSegments()
	{
		CPPUNIT_ASSERT(SafePath::isInside("/srv/web/a.css", "/srv/web"));
		CPPUNIT_ASSERT(SafePath::isInside("/srv/web", "/srv/web"));
		CPPUNIT_ASSERT(SafePath::isInside("/srv/web/x/y", "/srv/web/"));
		CPPUNIT_ASSERT(!SafePath::isInside("/srv/website/a.css", "/srv/web"));
		CPPUNIT_ASSERT(!SafePath::isInside("/srv", "/srv/web"));
		CPPUNIT_ASSERT(!SafePath::isInside("/etc/passwd", "/srv/web"));
		CPPUNIT_ASSERT(!SafePath::isInside("/srv/web/a", ""));
	}

	void contentTypesByExtension()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("text/html; charset=utf-8"), ContentTypes::forPath("index.html"));
		CPPUNIT_ASSERT_EQUAL(std::string("text/javascript; charset=utf-8"), ContentTypes::forPath("assets/js/main.js"));
		CPPUNIT_ASSERT_EQUAL(std::string("text/css; charset=utf-8"), ContentTypes::forPath("assets/app.CSS"));
		CPPUNIT_ASSERT_EQUAL(std::string("image/svg+xml"), ContentTypes::forPath("a.svg"));
		CPPUNIT_ASSERT_EQUAL(std::string("image/png"), ContentTypes::forPath("a.png"));
		CPPUNIT_ASSERT_EQUAL(std::string("font/woff2"), ContentTypes::forPath("f.woff2"));
		CPPUNIT_ASSERT_EQUAL(std::string("application/octet-stream"), ContentTypes::forPath("README"));
		CPPUNIT_ASSERT_EQUAL(std::string("application/octet-stream"), ContentTypes::forPath("a.exe"));
		CPPUNIT_ASSERT_EQUAL(std::string("application/octet-stream"), ContentTypes::forPath("dir.d/file"));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(PathsTest);
