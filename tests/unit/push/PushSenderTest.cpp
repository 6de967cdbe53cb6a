// PushSender's back-off, and the plugin's crypto pieces that need no server:
// base64url and the VAPID key file.
#include "Base64Url.h"
#include "PayloadCipher.h"
#include "PushSender.h"
#include "VapidKey.h"
#include <Poco/Exception.h>
#include <cppunit/extensions/HelperMacros.h>

using namespace Palaver::Push;

class PushSenderTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(PushSenderTest);
	CPPUNIT_TEST(testBackOffDoublesWithinBounds);
	CPPUNIT_TEST(testBase64Url);
	CPPUNIT_TEST(testVapidKeyReadsBackFromItsPem);
	CPPUNIT_TEST(testCipherRefusesBadKeys);
	CPPUNIT_TEST_SUITE_END();

public:
	void testBackOffDoublesWithinBounds()
	{
		PushSender::Settings settings;
		settings.retryDelayMs = 1000;
		settings.maxRetryDelayMs = 5000;
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(1000), PushSender::backOffMs(settings, 2, 0));
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(2000), PushSender::backOffMs(settings, 3, 0));
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(4000), PushSender::backOffMs(settings, 4, 0));
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(5000), PushSender::backOffMs(settings, 5, 0));
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(5000), PushSender::backOffMs(settings, 60, 0));
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(3000), PushSender::backOffMs(settings, 2, 3000));   // Retry-After
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(5000), PushSender::backOffMs(settings, 2, 86400000)); // capped
	}

	void testBase64Url()
	{
		const std::string bytes("\xfb\xff\x00\x3e\x3f", 5);
		CPPUNIT_ASSERT_EQUAL(std::string("-_8APj8"), Base64Url::encode(bytes));
		CPPUNIT_ASSERT(bytes == Base64Url::decode("-_8APj8"));
		CPPUNIT_ASSERT(bytes == Base64Url::decode("-_8APj8="));
		const std::string long_(100, 'x');
		CPPUNIT_ASSERT_EQUAL(std::string::npos, Base64Url::encode(long_).find('\n'));
		CPPUNIT_ASSERT_THROW(Base64Url::decode("a+b/"), Poco::DataFormatException);
		CPPUNIT_ASSERT_THROW(Base64Url::decode("abcde"), Poco::DataFormatException);
	}

	void testVapidKeyReadsBackFromItsPem()
	{
		const std::string pem = VapidKey::generatePem();
		const VapidKey first = VapidKey::fromPem(pem, "test");
		CPPUNIT_ASSERT_EQUAL(std::size_t(65), Base64Url::decode(first.publicKey()).size());
		CPPUNIT_ASSERT_EQUAL(first.publicKey(), VapidKey::fromPem(pem, "test").publicKey());
		CPPUNIT_ASSERT(first.publicKey() != VapidKey::fromPem(VapidKey::generatePem(), "test").publicKey());
		CPPUNIT_ASSERT_THROW(VapidKey::fromPem("no key", "test"), Poco::DataFormatException);
		CPPUNIT_ASSERT_THROW(VapidKey::fromPem(pem.substr(0, pem.size() / 2), "test"), Poco::DataFormatException);
		const std::string header = first.authorization("https://push.example.com", 1700000000, "mailto:a@example.org");
		CPPUNIT_ASSERT_EQUAL(std::string("vapid t="), header.substr(0, 8));
		CPPUNIT_ASSERT(header.size() > first.publicKey().size() + 4
			&& header.compare(header.size() - first.publicKey().size() - 4, std::string::npos, ", k=" + first.publicKey()) == 0);
	}

	void testCipherRefusesBadKeys()
	{
		const std::string secret(16, 'a');
		CPPUNIT_ASSERT_THROW(PayloadCipher::encrypt("{}", std::string(65, '\x04'), secret), Poco::DataFormatException);
		CPPUNIT_ASSERT_THROW(PayloadCipher::encrypt("{}", "\x04", secret), Poco::DataFormatException);
		CPPUNIT_ASSERT_THROW(PayloadCipher::encrypt(std::string(PayloadCipher::MAX_PLAINTEXT + 1, 'x'), std::string(65, '\x04'), secret),
			Poco::InvalidArgumentException);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(PushSenderTest);
