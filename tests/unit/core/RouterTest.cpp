#include "RouterImpl.h"
#include "palaver/HttpError.h"
#include <Poco/Exception.h>
#include <cppunit/extensions/HelperMacros.h>

using Palaver::Server::RouterImpl;

class RouterTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(RouterTest);
	CPPUNIT_TEST(matchesLiteralAndParams);
	CPPUNIT_TEST(literalBeatsParam);
	CPPUNIT_TEST(wrongMethodListsAllowed);
	CPPUNIT_TEST(unknownPathMatchesNothing);
	CPPUNIT_TEST(encodedSlashStaysInSegment);
	CPPUNIT_TEST(wildcardTakesTheRest);
	CPPUNIT_TEST(malformedEscapeIsBadRequest);
	CPPUNIT_TEST(duplicateRouteIsRefused);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		auto noop = [](Palaver::Request&, Palaver::Response&) {};
		_router.add("GET", "/messages/from/{toUserId}", noop);
		_router.add("POST", "/post/touser/{toUserId}", noop);
		_router.add("GET", "/contacts", noop);
		_router.add("GET", "/contacts/{userId}", noop);
		_router.add("GET", "/contacts/me", noop);
		_router.add("DELETE", "/contacts/{userId}", noop);
		_router.add("GET", "/assets/*", noop);
		_router.add("GET", "/", noop);
	}

	void matchesLiteralAndParams()
	{
		auto match = _router.match("GET", "/messages/from/42");
		CPPUNIT_ASSERT(match.route);
		CPPUNIT_ASSERT_EQUAL(std::string("/messages/from/{toUserId}"), match.route->pattern);
		CPPUNIT_ASSERT_EQUAL(std::string("42"), match.params["toUserId"]);
		CPPUNIT_ASSERT(_router.match("GET", "/").route);
		CPPUNIT_ASSERT_EQUAL(std::string("/contacts"), _router.match("GET", "/contacts").route->pattern);
	}

	void literalBeatsParam()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("/contacts/me"), _router.match("GET", "/contacts/me").route->pattern);
		CPPUNIT_ASSERT_EQUAL(std::string("/contacts/{userId}"), _router.match("GET", "/contacts/7").route->pattern);
	}

	void wrongMethodListsAllowed()
	{
		auto match = _router.match("PUT", "/contacts/7");
		CPPUNIT_ASSERT(!match.route);
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), match.allowed.size());
		CPPUNIT_ASSERT(match.allowed.count("GET") && match.allowed.count("DELETE"));
	}

	void unknownPathMatchesNothing()
	{
		for (const char* path: {"/nope", "/messages/from", "/messages/from/1/2", "/contacts/", "/post/touser/"})
		{
			auto match = _router.match("GET", path);
			CPPUNIT_ASSERT_MESSAGE(path, !match.route);
		}
		CPPUNIT_ASSERT(_router.match("GET", "/nope").allowed.empty());
	}

	void encodedSlashStaysInSegment()
	{
		auto match = _router.match("GET", "/messages/from/..%2F..%2Fetc");
		CPPUNIT_ASSERT(match.route);
		CPPUNIT_ASSERT_EQUAL(std::string("../../etc"), match.params["toUserId"]);
	}

	void wildcardTakesTheRest()
	{
		auto match = _router.match("GET", "/assets/css/app%20x.css");
		CPPUNIT_ASSERT(match.route);
		CPPUNIT_ASSERT_EQUAL(std::string("css/app x.css"), match.params["*"]);
	}

	void malformedEscapeIsBadRequest()
	{
		for (const char* path: {"/messages/from/%zz", "/messages/from/4%", "/assets/a%2", "/assets/css/%G0.css"})
		{
			try
			{
				_router.match("GET", path);
				CPPUNIT_FAIL(std::string("no error for ") + path);
			}
			catch (Palaver::HttpError& e)
			{
				CPPUNIT_ASSERT_EQUAL(400, e.status());
				CPPUNIT_ASSERT_EQUAL(std::string("bad_request"), e.code());
			}
		}
		// Literal segments are compared undecoded: nothing to refuse there.
		CPPUNIT_ASSERT(!_router.match("GET", "/contacts%zz").route);
	}

	void duplicateRouteIsRefused()
	{
		CPPUNIT_ASSERT_THROW(_router.add("GET", "/contacts/{other}", [](Palaver::Request&, Palaver::Response&) {}), Poco::ExistsException);
	}

private:
	RouterImpl _router;
};

CPPUNIT_TEST_SUITE_REGISTRATION(RouterTest);
