// Small pieces of the core that turn text into decisions: UTF-8 checks,
// the origin policy, the metrics exposition, message timestamps.
#include "MetricsAccess.h"
#include "MetricsImpl.h"
#include "palaver/Message.h"
#include "palaver/OriginPolicy.h"
#include "palaver/Utf8.h"
#include <Poco/AutoPtr.h>
#include <Poco/Util/MapConfiguration.h>
#include <cppunit/extensions/HelperMacros.h>

using namespace Palaver;

class TextTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(TextTest);
	CPPUNIT_TEST(utf8Validity);
	CPPUNIT_TEST(utf8Length);
	CPPUNIT_TEST(originPolicy);
	CPPUNIT_TEST(originPolicyOfConfiguration);
	CPPUNIT_TEST(hostAllowList);
	CPPUNIT_TEST(metricsExposition);
	CPPUNIT_TEST(metricsAccessNetworks);
	CPPUNIT_TEST(messageJsonRoundTrip);
	CPPUNIT_TEST_SUITE_END();

public:
	void utf8Validity()
	{
		CPPUNIT_ASSERT(Utf8::isValid(""));
		CPPUNIT_ASSERT(Utf8::isValid("hola ¿qué tal? 😀 日本"));
		CPPUNIT_ASSERT(!Utf8::isValid("\xC3\x28"));           // bad continuation
		CPPUNIT_ASSERT(!Utf8::isValid("\xC0\xAF"));           // overlong "/"
		CPPUNIT_ASSERT(!Utf8::isValid("\xED\xA0\x80"));       // surrogate
		CPPUNIT_ASSERT(!Utf8::isValid("\xF4\x90\x80\x80"));   // above U+10FFFF
		CPPUNIT_ASSERT(!Utf8::isValid("abc\xE2\x82"));        // truncated
		CPPUNIT_ASSERT(!Utf8::isValid("\xFF"));
	}

	void utf8Length()
	{
		CPPUNIT_ASSERT_EQUAL(std::size_t(4), Utf8::length("qué!"));
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), Utf8::length("😀"));
	}

	void originPolicy()
	{
		OriginPolicy policy("https://chat.example.org, http://localhost:3000");
		CPPUNIT_ASSERT(policy.allows("", "127.0.0.1:8080"));
		CPPUNIT_ASSERT(policy.allows("http://127.0.0.1:8080", "127.0.0.1:8080"));
		CPPUNIT_ASSERT(policy.allows("HTTPS://Chat.Example.org", "internal:8080"));
		CPPUNIT_ASSERT(policy.allows("http://localhost:3000", "127.0.0.1:8080"));
		CPPUNIT_ASSERT(!policy.allows("http://evil.example", "127.0.0.1:8080"));
		CPPUNIT_ASSERT(!policy.allows("http://127.0.0.1:8081", "127.0.0.1:8080"));
		CPPUNIT_ASSERT(!policy.allows("null", "127.0.0.1:8080"));
	}

	void originPolicyOfConfiguration()
	{
		Poco::AutoPtr<Poco::Util::MapConfiguration> config(new Poco::Util::MapConfiguration);
		config->setString("http.address", "127.0.0.1");
		config->setString("http.port", "8080");
		config->setString("http.public_url", "https://Chat.Example.org/palaver/");
		const OriginPolicy policy(*config);
		// The HTTP listener's origin is the server's own on the ws port too.
		CPPUNIT_ASSERT(policy.allows("http://127.0.0.1:8080", "127.0.0.1:9000"));
		CPPUNIT_ASSERT(policy.allows("http://localhost:8080", "127.0.0.1:9000"));
		CPPUNIT_ASSERT(policy.allows("http://chat.lan:8080", "chat.lan:9000"));
		CPPUNIT_ASSERT(policy.allows("http://[::1]:8080", "[::1]:9000"));
		CPPUNIT_ASSERT(policy.allows("https://chat.example.org", "127.0.0.1:9000"));
		CPPUNIT_ASSERT_EQUAL(std::string("https://chat.example.org"), policy.publicOrigin());
		CPPUNIT_ASSERT(!policy.allows("http://127.0.0.1:8081", "127.0.0.1:9000"));
		CPPUNIT_ASSERT(!policy.allows("http://evil.example:8080", "127.0.0.1:9000"));
		CPPUNIT_ASSERT(!policy.allows("https://chat.example.org:8443", "127.0.0.1:9000"));

		config->setString("http.public_url", "chat.example.org");
		CPPUNIT_ASSERT_THROW(OriginPolicy{*config}, Poco::InvalidArgumentException);
	}

	void hostAllowList()
	{
		Poco::AutoPtr<Poco::Util::MapConfiguration> config(new Poco::Util::MapConfiguration);
		config->setString("http.public_url", "https://chat.example.org:8443");
		config->setString("http.allowed_hosts", "palaver.lan, Other.LAN");
		const OriginPolicy policy(*config);
		for (const char* host: {"", "127.0.0.1:8080", "[::1]:9000", "10.0.0.7", "localhost:8080", "LOCALHOST.",
			"chat.example.org", "chat.example.org:8443", "palaver.lan:8080", "other.lan"})
			CPPUNIT_ASSERT_MESSAGE(host, policy.allowsHost(host));
		for (const char* host: {"evil.example", "evil.example:8080", "chat.example.org.evil.example", "localhost.evil.example", "127.0.0.1.nip.io"})
			CPPUNIT_ASSERT_MESSAGE(host, !policy.allowsHost(host));

		config->setString("http.allowed_hosts", "*");
		CPPUNIT_ASSERT(OriginPolicy(*config).allowsHost("anything.example"));
		CPPUNIT_ASSERT_EQUAL(std::string("::1"), OriginPolicy::hostName("[::1]:80"));
		CPPUNIT_ASSERT_EQUAL(std::string("example.org"), OriginPolicy::hostName("Example.ORG.:80"));
	}

	void metricsAccessNetworks()
	{
		using Poco::Net::IPAddress;
		Poco::AutoPtr<Poco::Util::MapConfiguration> config(new Poco::Util::MapConfiguration);
		const Server::MetricsAccess loopback(*config);
		CPPUNIT_ASSERT(loopback.allowsAddress(IPAddress("127.0.0.1")));
		CPPUNIT_ASSERT(loopback.allowsAddress(IPAddress("127.8.9.10")));
		CPPUNIT_ASSERT(loopback.allowsAddress(IPAddress("::1")));
		CPPUNIT_ASSERT(!loopback.allowsAddress(IPAddress("10.0.0.1")));
		CPPUNIT_ASSERT(!loopback.allowsAddress(IPAddress("::2")));

		config->setString("metrics.allowed_addresses", "10.1.0.0/16, 192.0.2.7 2001:db8::/32");
		const Server::MetricsAccess networks(*config);
		CPPUNIT_ASSERT(networks.allowsAddress(IPAddress("10.1.200.3")));
		CPPUNIT_ASSERT(!networks.allowsAddress(IPAddress("10.2.0.1")));
		CPPUNIT_ASSERT(networks.allowsAddress(IPAddress("192.0.2.7")));
		CPPUNIT_ASSERT(!networks.allowsAddress(IPAddress("192.0.2.8")));
		CPPUNIT_ASSERT(networks.allowsAddress(IPAddress("2001:db8:1::5")));
		CPPUNIT_ASSERT(!networks.allowsAddress(IPAddress("127.0.0.1")));

		config->setString("metrics.allowed_addresses", "10.0.0.0/33");
		CPPUNIT_ASSERT_THROW(Server::MetricsAccess{*config}, Poco::InvalidArgumentException);
		config->setString("metrics.allowed_addresses", "intranet");
		CPPUNIT_ASSERT_THROW(Server::MetricsAccess{*config}, Poco::InvalidArgumentException);
	}

	void metricsExposition()
	{
		Server::MetricsImpl metrics;
		metrics.counter("palaver_things_total", "Things").inc(3);
		metrics.gauge("palaver_level", "Level").set(-2);
		CPPUNIT_ASSERT_EQUAL(&metrics.counter("palaver_things_total", "again"), &metrics.counter("palaver_things_total", "Things"));
		metrics.recordRequest("GET", "/x/{id}", 200, 0.003);
		metrics.recordRequest("GET", "/x/{id}", 200, 0.2);
		const std::string text = metrics.render();
		CPPUNIT_ASSERT(text.find("palaver_things_total 3\n") != std::string::npos);
		CPPUNIT_ASSERT(text.find("# TYPE palaver_level gauge\npalaver_level -2\n") != std::string::npos);
		CPPUNIT_ASSERT(text.find("palaver_http_requests_total{method=\"GET\",route=\"/x/{id}\",status=\"200\"} 2\n") != std::string::npos);
		CPPUNIT_ASSERT(text.find("palaver_http_request_duration_seconds_bucket{le=\"0.005\"} 1\n") != std::string::npos);
		CPPUNIT_ASSERT(text.find("palaver_http_request_duration_seconds_count 2\n") != std::string::npos);
	}

	void messageJsonRoundTrip()
	{
		Message message;
		message.id = 7;
		message.fromUserId = 2;
		message.toUserId = 1;
		message.text = "hola";
		message.fromUserName = "Pepe";
		message.timestamp = 1673952164123456LL;  // 2023-01-17 10:42:44.123456 UTC
		auto json = message.toJson();
		auto time = json->getObject("timestamp");
		CPPUNIT_ASSERT_EQUAL(std::string("2023-01-17 10:42:44.123456"), time->getValue<std::string>("date"));
		CPPUNIT_ASSERT_EQUAL(3, time->getValue<int>("timezone_type"));
		CPPUNIT_ASSERT_EQUAL(std::string("UTC"), time->getValue<std::string>("timezone"));
		Message back = Message::fromJson(*json);
		CPPUNIT_ASSERT_EQUAL(message.timestamp, back.timestamp);
		CPPUNIT_ASSERT_EQUAL(message.text, back.text);
		CPPUNIT_ASSERT_EQUAL(message.fromUserName, back.fromUserName);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(TextTest);
