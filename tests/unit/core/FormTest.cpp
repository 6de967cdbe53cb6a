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
	CPPUNIT_TEST(jsonFieldsKeepTheirType);
	CPPUNIT_TEST(integersFromJsonOrDigits);
	CPPUNIT_TEST(refusesWhatTheStrictParserRefuses);
	CPPUNIT_TEST_SUITE_END();

public:
	void parsesJsonAndFlattensObjects()
	{
		Form form = Form::parse("application/json; charset=utf-8", R"({"text": "hola", "n": 3, "message": {"text": "¿qué?"}, "none": null})");
		CPPUNIT_ASSERT_EQUAL(std::string("hola"), form.get("text"));
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(3), form.getInteger("n"));
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

	void jsonFieldsKeepTheirType()
	{
		const Form form = Form::parse("application/json",
			R"({"username": 12345, "text": true, "d": 1.5, "s": "x", "message": {"text": false}})");
		expectValidation("username", "username must be a string, not an integer", [&form] { form.get("username"); });
		expectValidation("text", "text must be a string, not a boolean", [&form] { form.getAny({"text", "message[text]"}); });
		expectValidation("d", "d must be a string, not a number", [&form] { form.get("d"); });
		expectValidation("message[text]", "message[text] must be a string, not a boolean", [&form] { form.getAny({"x", "message[text]"}); });
		CPPUNIT_ASSERT(form.type("username") == Palaver::JsonValue::Type::Integer);
		CPPUNIT_ASSERT(form.type("text") == Palaver::JsonValue::Type::Boolean);
		CPPUNIT_ASSERT(form.type("s") == Palaver::JsonValue::Type::String);
		CPPUNIT_ASSERT(form.type("absent") == Palaver::JsonValue::Type::Null);
		CPPUNIT_ASSERT(form.type("message") == Palaver::JsonValue::Type::Object);
		expectValidation("message", "message must be a string, not an object", [&form] { form.get("message"); });
		CPPUNIT_ASSERT_EQUAL(std::string("x"), form.get("s"));
		CPPUNIT_ASSERT_EQUAL(std::string("dflt"), form.get("absent", "dflt"));
		// Form-encoded fields are strings.
		const Form encoded = Form::parse("application/x-www-form-urlencoded", "username=12345");
		CPPUNIT_ASSERT_EQUAL(std::string("12345"), encoded.get("username"));
		CPPUNIT_ASSERT(encoded.type("username") == Palaver::JsonValue::Type::String);
	}

	void integersFromJsonOrDigits()
	{
		const Form form = Form::parse("application/json",
			R"({"a": 42, "b": "17", "c": -3, "d": "-3", "e": "", "f": "1x", "g": 2.0, "h": true, "i": "1234567890123456789"})");
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(42), form.getInteger("a"));
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(17), form.getInteger("b"));
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(-3), form.getInteger("c"));
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(9), form.getInteger("absent", 9));
		for (const char* name: {"d", "e", "f", "g", "h", "i"})
			expectValidation(name, std::string(name) + " must be an integer", [&form, name] { form.getInteger(name); });
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(5), Form::parse("application/x-www-form-urlencoded", "id=5").getInteger("id"));
	}

	void refusesWhatTheStrictParserRefuses()
	{
		expectStatus(400, "application/json", R"({"text": "a", "text": "b"})");
		expectStatus(400, "application/json", R"({"id": 99999999999999999999})");
		expectStatus(400, "application/json", R"({"text": "\ud800"})");
		expectStatus(400, "application/json", "{\"a\":" + std::string(40, '{') + std::string(40, '}') + "}");
		expectValidation("list", "arrays are not accepted here", [] { Form::parse("application/json", R"({"list": [1]})"); });
		try
		{
			Form::parse("application/json", R"({"text": "a", "text": "b"})");
		}
		catch (HttpError& e)
		{
			CPPUNIT_ASSERT_EQUAL(std::string("bad_request"), e.code());
			CPPUNIT_ASSERT_EQUAL(std::string("JSON body: duplicate key \"text\""), e.message());
		}
	}

private:
	template <typename Action>
	static void expectValidation(const std::string& field, const std::string& message, Action action)
	{
		try
		{
			action();
			CPPUNIT_FAIL("no error for " + field);
		}
		catch (HttpError& e)
		{
			CPPUNIT_ASSERT_EQUAL(400, e.status());
			CPPUNIT_ASSERT_EQUAL(std::string("validation_failed"), e.code());
			CPPUNIT_ASSERT_EQUAL(field, e.field());
			CPPUNIT_ASSERT_EQUAL(message, e.message());
		}
	}

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
