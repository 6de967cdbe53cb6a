// HttpParser: the head's end found as bytes arrive (one at a time too), its
// bounds (431, 414), the parse (400), and the body's length (411, 413, 400).
#include "HttpParser.h"
#include "palaver/HttpError.h"
#include <cppunit/extensions/HelperMacros.h>
#include <vector>

using Palaver::HttpError;
using Palaver::Server::HttpParser;

namespace {

/// The status an HttpError thrown by call carries, 0 when none is thrown.
template <class Call>
int statusOf(Call call)
{
	try
	{
		call();
	}
	catch (HttpError& e)
	{
		return e.status();
	}
	return 0;
}

} // namespace

class HttpParserTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(HttpParserTest);
	CPPUNIT_TEST(testHeadArrivingByteByByte);
	CPPUNIT_TEST(testPipelinedHeadEndsAtItsEmptyLine);
	CPPUNIT_TEST(testBounds);
	CPPUNIT_TEST(testMalformedHeads);
	CPPUNIT_TEST(testBodyLength);
	CPPUNIT_TEST_SUITE_END();

public:
	void testHeadArrivingByteByByte()
	{
		const std::string head = "\r\nPOST /a?b=c HTTP/1.1\r\nHost: x\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n";
		HttpParser parser(HttpParser::Limits{});
		HttpParser::Scan scan;
		std::string buffer;
		std::size_t headSize = 0;
		for (std::size_t i = 0; i + 1 < head.size(); ++i)
		{
			buffer += head[i];
			CPPUNIT_ASSERT(parser.scan(buffer, scan, headSize) == HttpParser::Head::Incomplete);
		}
		buffer += head.back();
		CPPUNIT_ASSERT(parser.scan(buffer, scan, headSize) == HttpParser::Head::Complete);
		CPPUNIT_ASSERT_EQUAL(head.size(), headSize);
		Poco::Net::HTTPRequest request;
		HttpParser::parse(buffer.data(), headSize, request);
		CPPUNIT_ASSERT_EQUAL(std::string("/a?b=c"), request.getURI());
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), HttpParser::bodyLength(request, 10));
		CPPUNIT_ASSERT(HttpParser::expectsContinue(request));
	}

	void testPipelinedHeadEndsAtItsEmptyLine()
	{
		const std::string first = "GET /1 HTTP/1.1\r\n\r\n";
		const std::string buffer = first + "GET /2 HTTP/1.1\r\n\r\n";
		HttpParser parser(HttpParser::Limits{});
		HttpParser::Scan scan;
		std::size_t headSize = 0;
		CPPUNIT_ASSERT(parser.scan(buffer, scan, headSize) == HttpParser::Head::Complete);
		CPPUNIT_ASSERT_EQUAL(first.size(), headSize);
	}

	void testBounds()
	{
		HttpParser::Limits limits;
		limits.maxHeadSize = 4096;
		limits.maxFields = 3;
		HttpParser parser(limits);
		auto scanOf = [&parser](const std::string& buffer)
		{
			HttpParser::Scan scan;
			std::size_t headSize = 0;
			return parser.scan(buffer, scan, headSize);
		};
		const std::string start = "GET / HTTP/1.1\r\n";
		CPPUNIT_ASSERT(scanOf(start + "A: 1\r\nB: 2\r\nC: 3\r\n\r\n") == HttpParser::Head::Complete);
		CPPUNIT_ASSERT(scanOf(start + "A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n") == HttpParser::Head::TooLarge);
		// Refused before the line or the head is whole.
		CPPUNIT_ASSERT(scanOf(start + "X: " + std::string(5000, 'v')) == HttpParser::Head::TooLarge);
		CPPUNIT_ASSERT(scanOf("GET /" + std::string(17000, 'a')) == HttpParser::Head::UriTooLong);
		HttpParser roomy(HttpParser::Limits{});
		HttpParser::Scan scan;
		std::size_t headSize = 0;
		CPPUNIT_ASSERT(roomy.scan(start + "X: " + std::string(9000, 'v') + "\r\n", scan, headSize) == HttpParser::Head::TooLarge);
	}

	void testMalformedHeads()
	{
		for (const std::string& head: std::vector<std::string>{"GET /health\r\n\r\n", "GARBAGE\r\n\r\n", "GET / SPDY/9\r\n\r\n", "\x01\x02 \xff\r\n\r\n"})
		{
			Poco::Net::HTTPRequest request;
			CPPUNIT_ASSERT_EQUAL_MESSAGE(head, 400, statusOf([&] { HttpParser::parse(head.data(), head.size(), request); }));
		}
	}

	void testBodyLength()
	{
		auto lengthStatus = [](const std::string& fields, std::size_t limit)
		{
			const std::string head = "POST / HTTP/1.1\r\n" + fields + "\r\n";
			Poco::Net::HTTPRequest request;
			HttpParser::parse(head.data(), head.size(), request);
			return statusOf([&] { HttpParser::bodyLength(request, limit); });
		};
		CPPUNIT_ASSERT_EQUAL(0, lengthStatus("", 10));
		CPPUNIT_ASSERT_EQUAL(0, lengthStatus("Content-Length: 10\r\n", 10));
		CPPUNIT_ASSERT_EQUAL(413, lengthStatus("Content-Length: 11\r\n", 10));
		CPPUNIT_ASSERT_EQUAL(411, lengthStatus("Transfer-Encoding: chunked\r\n", 10));
		CPPUNIT_ASSERT_EQUAL(411, lengthStatus("Transfer-Encoding: chunked\r\nContent-Length: 3\r\n", 10));
		CPPUNIT_ASSERT_EQUAL(400, lengthStatus("Content-Length: -5\r\n", 10));
		CPPUNIT_ASSERT_EQUAL(400, lengthStatus("Content-Length: abc\r\n", 10));
		CPPUNIT_ASSERT_EQUAL(400, lengthStatus("Content-Length: 99999999999999999999\r\n", 10));
		CPPUNIT_ASSERT_EQUAL(400, lengthStatus("Content-Length: 3\r\nContent-Length: 3\r\n", 10));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(HttpParserTest);
