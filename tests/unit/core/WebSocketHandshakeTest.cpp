// Unit tests of the WebSocket upgrade checks (core/server/net/WebSocketHandshake.cpp).
#include "WebSocketHandshake.h"
#include "palaver/OriginPolicy.h"
#include <Poco/Net/NameValueCollection.h>
#include <cppunit/extensions/HelperMacros.h>
#include <string>
#include <utility>
#include <vector>

using Palaver::OriginPolicy;
using Palaver::Server::Handshake;
using Palaver::Server::HandshakeResult;

namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

/// A valid upgrade's headers, with fields replaced or added.
Poco::Net::NameValueCollection upgradeHeaders(const Fields& changes = {})
{
	Poco::Net::NameValueCollection headers;
	headers.set("Host", "127.0.0.1:9000");
	headers.set("Upgrade", "websocket");
	headers.set("Connection", "keep-alive, Upgrade");
	headers.set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
	headers.set("Sec-WebSocket-Version", "13");
	for (const auto& change: changes) headers.set(change.first, change.second);
	return headers;
}

HandshakeResult check(const Fields& changes = {}, const OriginPolicy& origins = OriginPolicy(), const std::string& method = "GET")
{
	return Handshake::check(method, upgradeHeaders(changes), origins);
}

} // namespace

class HandshakeTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(HandshakeTest);
	CPPUNIT_TEST(testAcceptKey);
	CPPUNIT_TEST(testAccepted);
	CPPUNIT_TEST(testRefusals);
	CPPUNIT_TEST(testOrigin);
	CPPUNIT_TEST_SUITE_END();

public:
	void testAcceptKey()
	{
		// The example of RFC 6455, 1.3.
		CPPUNIT_ASSERT_EQUAL(std::string("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), Handshake::acceptKey("dGhlIHNhbXBsZSBub25jZQ=="));
	}

	void testAccepted()
	{
		const HandshakeResult result = check();
		CPPUNIT_ASSERT(result.accepted());
		CPPUNIT_ASSERT_EQUAL(std::string("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), result.acceptKey);
		const std::string answer = Handshake::switchingProtocols(result.acceptKey);
		CPPUNIT_ASSERT(answer.find("HTTP/1.1 101 ") == 0);
		CPPUNIT_ASSERT(answer.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n") != std::string::npos);
	}

	void testRefusals()
	{
		CPPUNIT_ASSERT_EQUAL(405, check({}, OriginPolicy(), "POST").status);
		CPPUNIT_ASSERT_EQUAL(426, check({{"Upgrade", "h2c"}}).status);
		CPPUNIT_ASSERT_EQUAL(426, check({{"Connection", "keep-alive"}}).status);
		CPPUNIT_ASSERT_EQUAL(426, check({{"Sec-WebSocket-Version", "8"}}).status);
		CPPUNIT_ASSERT_EQUAL(400, check({{"Sec-WebSocket-Key", "!!!!IHNhbXBsZSBub25jZQ=="}}).status);
		CPPUNIT_ASSERT_EQUAL(400, check({{"Sec-WebSocket-Key", "c2hvcnQ="}}).status);
	}

	void testOrigin()
	{
		CPPUNIT_ASSERT_EQUAL(403, check({{"Origin", "http://evil.example"}}).status);
		CPPUNIT_ASSERT(check({{"Origin", "http://127.0.0.1:9000"}}).accepted());
		OriginPolicy allowed("https://chat.example.org");
		CPPUNIT_ASSERT(check({{"Origin", "https://chat.example.org"}}, allowed).accepted());
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(HandshakeTest);
