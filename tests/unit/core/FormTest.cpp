#include "palaver/Form.h"
#include "palaver/HttpError.h"
#include <cppunit/extensions/HelperMacros.h>

using Palaver::Form;
using Palaver::HttpError;

class FormTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(FormTest);
	CPPUNIT_TEST(parsesJsonAndFlattensObjects);
	CPPUNIT_TEST(parsesUrlEncoded);
	CPPUNIT_TEST(parsesMultipartWithFile);
	CPPUNIT_TEST(emptyBodyIsEmptyForm);
	CPPUNIT_TEST(refusesInvalidUtf8);
	CPPUNIT_TEST(refusesMalformedJson);
	CPPUNIT_TEST(refusesUnsupportedType);
	CPPUNIT_TEST_SUITE_END();

public:
	void parsesJsonAndFlattensObjects()
	{
		Form form = Form::parse("application/json; charset=utf-8", R"({"text": "hola", "n": 3, "message": {"text": "¿qué?"}, "none": null})");
		CPPUNIT_ASSERT_EQUAL(std::string("hola"), form.get("text"));
		CPPUNIT_ASSERT_EQUAL(std::string("3"), form.get("n"));
		CPPUNIT_ASSERT_EQUAL(std::string("¿qué?"), form.get("message[text]"));
		CPPUNIT_ASSERT(!form.has("none"));
		CPPUNIT_ASSERT_EQUAL(std::string("¿qué?"), form.getAny({"message[text]", "text"}));
		CPPUNIT_ASSERT_EQUAL(std::string("d"), form.getAny({"x", "y"}, "d"));
	}

	void parsesUrlEncoded()
	{
		Form form = Form::parse("application/x-www-form-urlencoded", "username=s%C3%B3nia&message%5Btext%5D=a+b%26c");
		CPPUNIT_ASSERT_EQUAL(std::string("sónia"), form.get("username"));
		CPPUNIT_ASSERT_EQUAL(std::string("a b&c"), form.get("message[text]"));
	}

	void parsesMultipartWithFile()
	{
		using namespace std::string_literals;
		const std::string body =
			"--XyZ\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nsonia\r\n"
			"--XyZ\r\nContent-Disposition: form-data; name=\"image\"; filename=\"me.png\"\r\nContent-Type: image/png\r\n\r\n"
			"\x89PNG\r\n\x1a\n\x00\x01"
			"\r\n--XyZ--\r\n"s;
		Form form = Form::parse("multipart/form-data; boundary=XyZ", body);
		CPPUNIT_ASSERT_EQUAL(std::string("sonia"), form.get("username"));
		const Form::File* image = form.file("image");
		CPPUNIT_ASSERT(image);
		CPPUNIT_ASSERT_EQUAL(std::string("me.png"), image->fileName);
		CPPUNIT_ASSERT_EQUAL(std::string("image/png"), image->contentType);
		CPPUNIT_ASSERT_EQUAL(std::size_t(10), image->data.size());
		CPPUNIT_ASSERT(!form.file("other"));
	}

	void emptyBodyIsEmptyForm()
	{
		CPPUNIT_ASSERT(!Form::parse("", "").has("x"));
	}

	void refusesInvalidUtf8()
	{
		expectStatus(400, "application/json", "{\"text\": \"\xC3\x28\"}");
		expectStatus(400, "application/x-www-form-urlencoded", "text=%C3%28");
		expectStatus(400, "application/x-www-form-urlencoded", "text=%ED%A0%80");  // a surrogate
	}

	void refusesMalformedJson()
	{
		expectStatus(400, "application/json", "{\"text\": ");
		expectStatus(400, "application/json", "[1, 2]");
	}

	void refusesUnsupportedType()
	{
		expectStatus(415, "text/plain", "hello");
		expectStatus(415, "", "hello");
	}

private:
	static void expectStatus(int status, const std::string& type, const std::string& body)
	{
		try
		{
			Form::parse(type, body);
			CPPUNIT_FAIL("accepted: " + body);
		}
		catch (HttpError& e)
		{
			CPPUNIT_ASSERT_EQUAL(status, e.status());
		}
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(FormTest);
