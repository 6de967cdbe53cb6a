// EndpointGuard: which push endpoints the server may POST to.
#include "EndpointGuard.h"
#include <Poco/Exception.h>
#include <cppunit/extensions/HelperMacros.h>

using Palaver::Push::EndpointGuard;

namespace {

bool isPublic(const std::string& address)
{
	return EndpointGuard::isPublic(Poco::Net::IPAddress(address));
}

bool accepted(const EndpointGuard& guard, const std::string& endpoint)
{
	try
	{
		guard.parse(endpoint);
		return true;
	}
	catch (Poco::InvalidArgumentException&)
	{
		return false;
	}
}

} // namespace

class EndpointGuardTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(EndpointGuardTest);
	CPPUNIT_TEST(testPublicAddresses);
	CPPUNIT_TEST(testNonPublicIPv4);
	CPPUNIT_TEST(testNonPublicIPv6);
	CPPUNIT_TEST(testMappedIPv4IsCheckedAsIPv4);
	CPPUNIT_TEST(testUrlForm);
	CPPUNIT_TEST(testInsecureAllowsHttpAndLoopback);
	CPPUNIT_TEST(testResolvedAddressesAreChecked);
	CPPUNIT_TEST(testOrigin);
	CPPUNIT_TEST_SUITE_END();

public:
	void testPublicAddresses()
	{
		for (const char* address: {"8.8.8.8", "1.1.1.1", "142.250.185.74", "172.32.0.1", "100.128.0.1", "2001:4860:4860::8888", "2a00:1450:4001::1"})
			CPPUNIT_ASSERT_MESSAGE(address, isPublic(address));
	}

	void testNonPublicIPv4()
	{
		for (const char* address: {"0.0.0.0", "127.0.0.1", "127.255.255.254", "10.0.0.1", "172.16.0.1", "172.31.255.255",
			"192.168.1.1", "169.254.169.254", "100.64.0.1", "224.0.0.1", "239.255.255.250", "255.255.255.255",
			"240.0.0.1", "192.0.2.1", "198.18.0.1", "203.0.113.9"})
			CPPUNIT_ASSERT_MESSAGE(address, !isPublic(address));
	}

	void testNonPublicIPv6()
	{
		for (const char* address: {"::", "::1", "fc00::1", "fd12:3456::1", "fe80::1", "fec0::1", "ff02::1", "ff0e::1", "2001:db8::1"})
			CPPUNIT_ASSERT_MESSAGE(address, !isPublic(address));
	}

	void testMappedIPv4IsCheckedAsIPv4()
	{
		CPPUNIT_ASSERT(!isPublic("::ffff:127.0.0.1"));
		CPPUNIT_ASSERT(!isPublic("::ffff:10.0.0.1"));
		CPPUNIT_ASSERT(!isPublic("64:ff9b::a00:1"));   // NAT64 of 10.0.0.1
		CPPUNIT_ASSERT(isPublic("::ffff:8.8.8.8"));
	}

	void testUrlForm()
	{
		const EndpointGuard guard(false);
		CPPUNIT_ASSERT(accepted(guard, "https://fcm.googleapis.com/fcm/send/abc:def"));
		CPPUNIT_ASSERT(accepted(guard, "https://updates.push.services.mozilla.com/wpush/v2/gAAA?x=1"));
		CPPUNIT_ASSERT(accepted(guard, "https://push.example.com:8443/x"));
		CPPUNIT_ASSERT(!accepted(guard, "http://push.example.com/x"));
		CPPUNIT_ASSERT(!accepted(guard, "ftp://push.example.com/x"));
		CPPUNIT_ASSERT(!accepted(guard, "https://user:pw@push.example.com/x"));
		CPPUNIT_ASSERT(!accepted(guard, "https:///x"));
		CPPUNIT_ASSERT(!accepted(guard, "not a url"));
		CPPUNIT_ASSERT(!accepted(guard, ""));
		CPPUNIT_ASSERT(!accepted(guard, "https://push.example.com/" + std::string(EndpointGuard::MAX_LENGTH, 'a')));
		CPPUNIT_ASSERT(!accepted(guard, "https://127.0.0.1/x"));
		CPPUNIT_ASSERT(!accepted(guard, "https://[::1]/x"));
		CPPUNIT_ASSERT(!accepted(guard, "https://[::ffff:192.168.0.1]/x"));
	}

	void testInsecureAllowsHttpAndLoopback()
	{
		const EndpointGuard guard(true);
		CPPUNIT_ASSERT(accepted(guard, "http://127.0.0.1:8080/x"));
		CPPUNIT_ASSERT(!accepted(guard, "ftp://127.0.0.1/x"));
		CPPUNIT_ASSERT_EQUAL(std::string("127.0.0.1:8080"), guard.resolve(guard.parse("http://127.0.0.1:8080/x")).toString());
	}

	void testResolvedAddressesAreChecked()
	{
		// "localhost" resolves (from /etc/hosts, no network) to loopback only:
		// a name must not smuggle a private address past the literal check.
		const EndpointGuard guard(false);
		const Poco::URI endpoint = guard.parse("https://localhost/x");
		CPPUNIT_ASSERT_THROW(guard.resolve(endpoint), Poco::InvalidArgumentException);
		CPPUNIT_ASSERT_EQUAL(std::string("127.0.0.1:443"), EndpointGuard(true).resolve(Poco::URI("https://127.0.0.1/x")).toString());
	}

	void testOrigin()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("https://push.example.com"), EndpointGuard::origin(Poco::URI("https://push.example.com/a/b?c")));
		CPPUNIT_ASSERT_EQUAL(std::string("https://push.example.com:8443"), EndpointGuard::origin(Poco::URI("https://push.example.com:8443/a")));
		CPPUNIT_ASSERT_EQUAL(std::string("http://127.0.0.1:9000"), EndpointGuard::origin(Poco::URI("http://127.0.0.1:9000/a")));
		CPPUNIT_ASSERT_EQUAL(std::string("https://[2001:db8::1]"), EndpointGuard::origin(Poco::URI("https://[2001:db8::1]/a")));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(EndpointGuardTest);
