// Unit tests of the chat protocol's credentials of an upgrade request
// (plugins/ws/src/Credentials.cpp): ?token, ?ticket, ?since, Bearer, cookie.
#include "Credentials.h"
#include "palaver/HttpError.h"
#include "palaver/OriginPolicy.h"
#include "palaver/Request.h"
#include <Poco/AutoPtr.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Util/MapConfiguration.h>
#include <cppunit/extensions/HelperMacros.h>
#include <string>

using Palaver::HttpError;
using Palaver::OriginPolicy;
using Palaver::Ws::Credentials;

namespace {

Credentials read(const std::string& target, const std::string& header = "", const std::string& value = "",
	const OriginPolicy& origins = OriginPolicy())
{
	Poco::Net::HTTPRequest http(Poco::Net::HTTPRequest::HTTP_GET, target, Poco::Net::HTTPMessage::HTTP_1_1);
	if (!header.empty()) http.add(header, value);
	Palaver::Request request(http, Poco::Net::SocketAddress("127.0.0.1", 5000), {}, "");
	return Credentials::read(request, origins);
}

} // namespace

class CredentialsTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(CredentialsTest);
	CPPUNIT_TEST(testNone);
	CPPUNIT_TEST(testTokens);
	CPPUNIT_TEST(testSince);
	CPPUNIT_TEST(testMalformed);
	CPPUNIT_TEST_SUITE_END();

public:
	void testNone()
	{
		const Credentials credentials = read("/");
		CPPUNIT_ASSERT(credentials.token.empty() && credentials.ticket.empty() && credentials.cookieToken.empty());
		CPPUNIT_ASSERT(!credentials.hasSince);
	}

	void testTokens()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("abc+def"), read("/?token=abc%2Bdef").token);
		const Credentials cookie = read("/", "Cookie", "theme=dark; palaver_session=s3cr3t; x=y");
		CPPUNIT_ASSERT(cookie.token.empty());
		CPPUNIT_ASSERT_EQUAL(std::string("s3cr3t"), cookie.cookieToken);
		CPPUNIT_ASSERT_EQUAL(std::string("tok"), read("/", "Authorization", "Bearer tok").token);
		// ?token wins over the header.
		CPPUNIT_ASSERT_EQUAL(std::string("q"), read("/?token=q", "Authorization", "Bearer tok").token);
		const Credentials ticket = read("/?since=4&ticket=0a1b");
		CPPUNIT_ASSERT_EQUAL(std::string("0a1b"), ticket.ticket);
		CPPUNIT_ASSERT(ticket.token.empty());
		// Behind an https public_url, the cookie has its __Host- name.
		Poco::AutoPtr<Poco::Util::MapConfiguration> config = new Poco::Util::MapConfiguration;
		config->setString("http.public_url", "https://chat.example.org");
		const OriginPolicy secure(*config);
		CPPUNIT_ASSERT_EQUAL(std::string("h"), read("/", "Cookie", "__Host-palaver_session=h", secure).cookieToken);
		CPPUNIT_ASSERT(read("/", "Cookie", "palaver_session=p", secure).cookieToken.empty());
	}

	void testSince()
	{
		const Credentials credentials = read("/ws?since=41");
		CPPUNIT_ASSERT(credentials.hasSince);
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(41), credentials.since);
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(0), read("/?since=0").since);
	}

	void testMalformed()
	{
		for (const char* target: {"/?since=abc", "/?since=-1", "/?since=", "/?token=%zz"})
		{
			try
			{
				read(target);
				CPPUNIT_FAIL(std::string("accepted ") + target);
			}
			catch (HttpError& error)
			{
				CPPUNIT_ASSERT_EQUAL(400, error.status());
			}
		}
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(CredentialsTest);
