// Unit tests of the WebSocket upgrade parsing and checks (plugins/ws/src/Handshake.cpp).
#include "WebSocketHandshake.h"
#include "palaver/OriginPolicy.h"
#include <cppunit/extensions/HelperMacros.h>

using Palaver::OriginPolicy;
using Palaver::Server::Handshake;
using Palaver::Server::HandshakeResult;
using Palaver::Server::HttpHead;

namespace {

std::string request(const std::string& target = "/", const std::string& extra = "")
{
	return "GET " + target + " HTTP/1.1\r\n"
		"Host: 127.0.0.1:9000\r\n"
		"Upgrade: websocket\r\n"
		"Connection: keep-alive, Upgrade\r\n"
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
		"Sec-WebSocket-Version: 13\r\n" + extra + "\r\n";
}

HandshakeResult check(const std::string& text, const OriginPolicy& origins = OriginPolicy())
{
	HttpHead head;
	std::size_t size = 0;
	CPPUNIT_ASSERT(Handshake::parse(text, head, size) == Handshake::ParseState::Complete);
	HandshakeResult result = Handshake::check(head.method, head.target, head.headers, origins);
	if (result.accepted()) Handshake::readCredentials(head.target, head.headers, origins, result);
	return result;
}

} // namespace

class HandshakeTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(HandshakeTest);
	CPPUNIT_TEST(testAcceptKey);
	CPPUNIT_TEST(testParseIncrementally);
	CPPUNIT_TEST(testTooLarge);
	CPPUNIT_TEST(testMalformed);
	CPPUNIT_TEST(testAccepted);
	CPPUNIT_TEST(testTokens);
	CPPUNIT_TEST(testRefusals);
	CPPUNIT_TEST(testOrigin);
	CPPUNIT_TEST(testRefusalIsJson);
	CPPUNIT_TEST_SUITE_END();

public:
	void testAcceptKey()
	{
		// The example of RFC 6455, 1.3.
		CPPUNIT_ASSERT_EQUAL(std::string("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), Handshake::acceptKey("dGhlIHNhbXBsZSBub25jZQ=="));
	}

	void testParseIncrementally()
	{
		const std::string text = request("/") + "\x81\x85";  // a frame right behind the head
		HttpHead head;
		std::size_t size = 0;
		for (std::size_t i = 0; i < text.size() - 2; ++i)
			CPPUNIT_ASSERT(Handshake::parse(text.substr(0, i), head, size) == Handshake::ParseState::Incomplete);
		CPPUNIT_ASSERT(Handshake::parse(text, head, size) == Handshake::ParseState::Complete);
		CPPUNIT_ASSERT_EQUAL(text.size() - 2, size);
		CPPUNIT_ASSERT_EQUAL(std::string("GET"), head.method);
		CPPUNIT_ASSERT_EQUAL(std::string("websocket"), head.headers.get("upgrade"));
	}

	void testTooLarge()
	{
		HttpHead head;
		std::size_t size = 0;
		const std::string big = "GET / HTTP/1.1\r\nX-Pad: " + std::string(9000, 'a');
		CPPUNIT_ASSERT(Handshake::parse(big, head, size) == Handshake::ParseState::TooLarge);
		CPPUNIT_ASSERT(Handshake::parse(request("/", "X-Pad: " + std::string(8200, 'a') + "\r\n"), head, size) == Handshake::ParseState::TooLarge);
	}

	void testMalformed()
	{
		HttpHead head;
		std::size_t size = 0;
		CPPUNIT_ASSERT(Handshake::parse("GARBAGE\r\n\r\n", head, size) == Handshake::ParseState::Malformed);
		CPPUNIT_ASSERT(Handshake::parse("GET / HTTP/1.1\r\nNoColon\r\n\r\n", head, size) == Handshake::ParseState::Malformed);
		CPPUNIT_ASSERT(Handshake::parse("GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", head, size) == Handshake::ParseState::Malformed);
	}

	void testAccepted()
	{
		const HandshakeResult result = check(request("/?since=41"));
		CPPUNIT_ASSERT(result.accepted());
		CPPUNIT_ASSERT_EQUAL(std::string("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), result.acceptKey);
		CPPUNIT_ASSERT(result.hasSince);
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(41), result.since);
		CPPUNIT_ASSERT(result.token.empty() && result.cookieToken.empty());
		const std::string answer = Handshake::switchingProtocols(result.acceptKey);
		CPPUNIT_ASSERT(answer.find("HTTP/1.1 101 ") == 0);
		CPPUNIT_ASSERT(answer.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n") != std::string::npos);
	}

	void testTokens()
	{
		HandshakeResult result = check(request("/?token=abc%2Bdef"));
		CPPUNIT_ASSERT_EQUAL(std::string("abc+def"), result.token);
		result = check(request("/", "Cookie: theme=dark; palaver_session=s3cr3t; x=y\r\n"));
		CPPUNIT_ASSERT(result.token.empty());
		CPPUNIT_ASSERT_EQUAL(std::string("s3cr3t"), result.cookieToken);
		result = check(request("/", "Authorization: Bearer tok\r\n"));
		CPPUNIT_ASSERT_EQUAL(std::string("tok"), result.token);
		result = check(request("/?since=4&ticket=0a1b"));
		CPPUNIT_ASSERT_EQUAL(std::string("0a1b"), result.ticket);
		CPPUNIT_ASSERT(result.token.empty());
	}

	void testRefusals()
	{
		auto text = request();
		HandshakeResult result = check("POST / HTTP/1.1\r\nHost: x\r\n\r\n");
		CPPUNIT_ASSERT_EQUAL(405, result.status);
		result = check("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
		CPPUNIT_ASSERT_EQUAL(426, result.status);
		std::string wrongVersion = text;
		wrongVersion.replace(wrongVersion.find("Version: 13"), 11, "Version: 8");
		CPPUNIT_ASSERT_EQUAL(426, check(wrongVersion).status);
		std::string badKey = text;
		badKey.replace(badKey.find("dGhl"), 4, "!!!!");
		CPPUNIT_ASSERT_EQUAL(400, check(badKey).status);
		CPPUNIT_ASSERT_EQUAL(400, check(request("/?since=abc")).status);
		CPPUNIT_ASSERT_EQUAL(400, check(request("/?since=-1")).status);
	}

	void testOrigin()
	{
		CPPUNIT_ASSERT_EQUAL(403, check(request("/", "Origin: http://evil.example\r\n")).status);
		CPPUNIT_ASSERT(check(request("/", "Origin: http://127.0.0.1:9000\r\n")).accepted());
		OriginPolicy allowed("https://chat.example.org");
		CPPUNIT_ASSERT(check(request("/", "Origin: https://chat.example.org\r\n"), allowed).accepted());
	}

	void testRefusalIsJson()
	{
		const std::string answer = Handshake::refusal(403, "forbidden", "origin not allowed");
		CPPUNIT_ASSERT(answer.find("HTTP/1.1 403 Forbidden\r\n") == 0);
		CPPUNIT_ASSERT(answer.find("Content-Type: application/json\r\n") != std::string::npos);
		CPPUNIT_ASSERT(answer.find("{\"error\":{\"code\":\"forbidden\",\"message\":\"origin not allowed\"}}") != std::string::npos);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(HandshakeTest);
