// Integration tests of the auth plugin against a real palaverd: every route,
// every error status, cookies, CSRF, throttling, avatars and path traversal.
//
// The servers run with the smallest argon2id limits ([auth] password_opslimit
// and password_memlimit) so that hashing is quick; production keeps
// libsodium's interactive limits.
#include "AuthOnly.h"
#include "HttpClient.h"
#include "TestImages.h"
#include "TestServer.h"
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/NumberParser.h>
#include <Poco/RegularExpression.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>
#include <cppunit/extensions/HelperMacros.h>
#include <atomic>
#include <memory>
#include <thread>
#include <string>
#include <vector>

using Palaver::Testing::HttpClient;
using Palaver::Testing::HttpReply;
using Palaver::Testing::TestServer;
using Palaver::Testing::PNG;
using Palaver::Testing::JPEG;
using Palaver::Testing::authOnly;
using Poco::Net::NameValueCollection;

namespace {

struct Part
{
	Part(std::string name, std::string data, std::string fileName = "", std::string contentType = ""):
		name(std::move(name)), data(std::move(data)), fileName(std::move(fileName)), contentType(std::move(contentType))
	{
	}

	std::string name;
	std::string data;
	std::string fileName;     // empty: a plain field
	std::string contentType;
};

const std::string BOUNDARY = "----palaverTestBoundary7MA4YWxkTrZu0gW";
const std::string MULTIPART = "multipart/form-data; boundary=" + BOUNDARY;

std::string multipart(const std::vector<Part>& parts)
{
	std::string body;
	for (const auto& part: parts)
	{
		body += "--" + BOUNDARY + "\r\n";
		body += "Content-Disposition: form-data; name=\"" + part.name + "\"";
		if (!part.fileName.empty())
		{
			body += "; filename=\"" + part.fileName + "\"\r\n";
			body += "Content-Type: " + part.contentType;
		}
		body += "\r\n\r\n" + part.data + "\r\n";
	}
	body += "--" + BOUNDARY + "--\r\n";
	return body;
}

std::string json(const std::string& userName, const std::string& password, const std::string& info = "")
{
	Poco::JSON::Object object;
	object.set("username", userName);
	object.set("password", password);
	object.set("info", info);
	std::ostringstream text;
	object.stringify(text);
	return text.str();
}

// The palaver_session Set-Cookie header of a reply ("" when none).
std::string sessionCookie(const HttpReply& reply)
{
	for (const auto& cookie: reply.setCookies)
	{
		if (cookie.compare(0, 16, "palaver_session=") == 0) return cookie;
	}
	return "";
}

// The cookie's value (the token).
std::string cookieValue(const std::string& setCookie)
{
	const auto end = setCookie.find(';');
	return setCookie.substr(16, end == std::string::npos ? std::string::npos : end - 16);
}

bool hasAttribute(const std::string& setCookie, const std::string& attribute)
{
	return (setCookie + ";").find("; " + attribute + ";") != std::string::npos;
}

std::string errorField(const HttpReply& reply)
{
	return reply.json()->getObject("error")->optValue<std::string>("field", "");
}

std::string errorMessage(const HttpReply& reply)
{
	return reply.json()->getObject("error")->getValue<std::string>("message");
}

std::string readFile(const std::string& path)
{
	std::string data;
	if (!Poco::File(path).exists()) return data;
	Poco::FileInputStream in(path, std::ios::in | std::ios::binary);
	Poco::StreamCopier::copyToString(in, data);
	return data;
}

} // namespace

class AuthRoutesTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(AuthRoutesTest);
	CPPUNIT_TEST(testRegisterJson);
	CPPUNIT_TEST(testRegisterUrlEncodedPlainPassword);
	CPPUNIT_TEST(testRegisterMultipartPng);
	CPPUNIT_TEST(testRegisterMultipartJpeg);
	CPPUNIT_TEST(testRegisterMultipartWithoutFile);
	CPPUNIT_TEST(testFakeImage);
	CPPUNIT_TEST(testValidation);
	CPPUNIT_TEST(testInvalidUtf8);
	CPPUNIT_TEST(testConflict);
	CPPUNIT_TEST(testConcurrentRegistrations);
	CPPUNIT_TEST(testUnsupportedMediaType);
	CPPUNIT_TEST(testMalformedBody);
	CPPUNIT_TEST(testAvatarTooLarge);
	CPPUNIT_TEST(testBodyTooLarge);
	CPPUNIT_TEST(testLogin);
	CPPUNIT_TEST(testLoginOneMessage);
	CPPUNIT_TEST(testLoginValidation);
	CPPUNIT_TEST(testLoginThrottled);
	CPPUNIT_TEST(testLogout);
	CPPUNIT_TEST(testLogoutByCookie);
	CPPUNIT_TEST(testUnauthenticated);
	CPPUNIT_TEST(testCsrf);
	CPPUNIT_TEST(testAllowedOriginAndSecureCookie);
	CPPUNIT_TEST(testImageNeedsSession);
	CPPUNIT_TEST(testPathTraversal);
	CPPUNIT_TEST(testWrongMethod);
	CPPUNIT_TEST(testSecretsNotStored);
	CPPUNIT_TEST(testDefaultHashLimits);
	CPPUNIT_TEST(testSessionSurvivesRestart);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		_server.reset(new TestServer(authOnly()));
		_server->start();
		_client.reset(new HttpClient(_server->httpPort()));
	}

	void tearDown() override
	{
		_client.reset();
		_server.reset();
	}

	void testRegisterJson()
	{
		HttpReply reply = _client->postJson("/register", json("sonia", "secret123", "soy Sonia"));
		CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 201, reply.status);
		auto body = reply.json();
		auto user = body->getObject("user");
		CPPUNIT_ASSERT(user);
		CPPUNIT_ASSERT(user->getValue<Poco::Int64>("id") > 0);
		CPPUNIT_ASSERT_EQUAL(std::string("sonia"), user->getValue<std::string>("userName"));
		CPPUNIT_ASSERT_EQUAL(std::string("soy Sonia"), user->getValue<std::string>("info"));
		CPPUNIT_ASSERT(user->has("image") && user->isNull("image"));
		CPPUNIT_ASSERT(!user->has("password") && !user->has("passwordHash"));
		const std::string token = body->getValue<std::string>("token");
		CPPUNIT_ASSERT(Poco::RegularExpression("^[0-9a-f]{64}$").match(token));
		CPPUNIT_ASSERT_EQUAL(std::string("no-store"), reply.header("Cache-Control"));

		// The cookie carries the same token, with the attributes PROTOCOL.md names.
		const std::string cookie = sessionCookie(reply);
		CPPUNIT_ASSERT_MESSAGE("no session cookie", !cookie.empty());
		CPPUNIT_ASSERT_EQUAL(token, cookieValue(cookie));
		CPPUNIT_ASSERT(hasAttribute(cookie, "HttpOnly"));
		CPPUNIT_ASSERT(hasAttribute(cookie, "SameSite=Lax"));
		CPPUNIT_ASSERT(hasAttribute(cookie, "Path=/"));
		CPPUNIT_ASSERT(!hasAttribute(cookie, "Secure"));

		// Logged in: by Bearer and by cookie.
		HttpClient bearer(_server->httpPort());
		bearer.setBearer(token);
		HttpReply me = bearer.get("/me");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(me.body, 200, me.status);
		CPPUNIT_ASSERT_EQUAL(std::string("sonia"), me.json()->getValue<std::string>("userName"));
		CPPUNIT_ASSERT_EQUAL(user->getValue<Poco::Int64>("id"), me.json()->getValue<Poco::Int64>("id"));
		HttpClient cookieClient(_server->httpPort());
		cookieClient.setCookie("palaver_session=" + token);
		CPPUNIT_ASSERT_EQUAL(200, cookieClient.get("/me").status);
	}

	void testRegisterUrlEncodedPlainPassword()
	{
		HttpReply reply = _client->postForm("/register", {{"username", "pepe garcía"}, {"plainPassword", "contraseña"}, {"info", "hola & adiós"}});
		CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 201, reply.status);
		auto user = reply.json()->getObject("user");
		CPPUNIT_ASSERT_EQUAL(std::string("pepe garcía"), user->getValue<std::string>("userName"));
		CPPUNIT_ASSERT_EQUAL(std::string("hola & adiós"), user->getValue<std::string>("info"));
		// The password given as plainPassword is the one that logs in.
		HttpReply login = _client->postForm("/login", {{"username", "pepe garcía"}, {"password", "contraseña"}});
		CPPUNIT_ASSERT_EQUAL_MESSAGE(login.body, 200, login.status);
	}

	void testRegisterMultipartPng()
	{
		checkAvatarRoundTrip(PNG, "me.png", "image/png", "image/png", ".png");
	}

	void testRegisterMultipartJpeg()
	{
		// The declared type and file name do not matter: the bytes do.
		checkAvatarRoundTrip(JPEG, "photo.gif", "application/octet-stream", "image/jpeg", ".jpg");
	}

	void testRegisterMultipartWithoutFile()
	{
		// An HTML form with no file chosen sends an empty file part.
		HttpReply reply = _client->request("POST", "/register", multipart({
			{"username", "nofile"}, {"password", "secret123"}, {"info", ""},
			{"image", "", "", "application/octet-stream"}}), MULTIPART);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 201, reply.status);
		CPPUNIT_ASSERT(reply.json()->getObject("user")->isNull("image"));
	}

	void testFakeImage()
	{
		HttpReply reply = _client->request("POST", "/register", multipart({
			{"username", "faker"}, {"password", "secret123"},
			{"image", "<html><script>alert(1)</script></html>", "cat.jpg", "image/jpeg"}}), MULTIPART);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 400, reply.status);
		CPPUNIT_ASSERT_EQUAL(std::string("validation_failed"), reply.errorCode());
		CPPUNIT_ASSERT_EQUAL(std::string("image"), errorField(reply));
		// Nothing was created: the name is still free, and no file was kept.
		CPPUNIT_ASSERT_EQUAL(201, _client->registerUser("faker").status);
		std::vector<std::string> files;
		Poco::File(_server->stateDir() + "/auth/img").list(files);
		CPPUNIT_ASSERT(files.empty());
	}

	void testValidation()
	{
		checkInvalid(json("", "secret123"), "username");
		checkInvalid(json(std::string(181, 'a'), "secret123"), "username");
		checkInvalid(json("tab\tname", "secret123"), "username");
		checkInvalid(json(" ana", "secret123"), "username");
		checkInvalid(json("ana ", "secret123"), "username");
		checkInvalid(json("ana", "12345"), "password");
		checkInvalid(json("ana", std::string(4097, 'p')), "password");
		checkInvalid(json("ana", "secret123", std::string(256, 'i')), "info");
		checkInvalid("{\"password\": \"secret123\"}", "username");
		checkInvalid("{\"username\": \"ana\"}", "password");
		// JSON fields of the wrong type are refused, never turned into text.
		checkInvalid("{\"username\": 12345, \"password\": \"secret123\"}", "username");
		checkInvalid("{\"username\": \"ana\", \"password\": true}", "password");
		checkInvalid("{\"username\": \"ana\", \"password\": \"secret123\", \"info\": {\"a\": \"x\"}}", "info");
		checkInvalid("{\"username\": [\"ana\"], \"password\": \"secret123\"}", "username");
		// The name "12345" was not taken by the refused request.
		CPPUNIT_ASSERT_EQUAL(201, _client->registerUser("12345").status);

		// The limits count characters, not bytes: 180 two-byte characters pass,
		// and so do 255 of them in info and 4096 in a password.
		std::string name;
		std::string info;
		for (int i = 0; i < 180; ++i) name += "ñ";
		for (int i = 0; i < 255; ++i) info += "é";
		HttpReply longest = _client->postJson("/register", json(name, std::string(4096, 'p'), info));
		CPPUNIT_ASSERT_EQUAL_MESSAGE(longest.body, 201, longest.status);
		CPPUNIT_ASSERT_EQUAL(name, longest.json()->getObject("user")->getValue<std::string>("userName"));
		CPPUNIT_ASSERT_EQUAL(201, _client->postJson("/register", json("x", "123456")).status);
	}

	void testInvalidUtf8()
	{
		// In a form, in JSON (a raw byte), and in a multipart field.
		HttpReply form = _client->request("POST", "/register", "username=bad%FFname&password=secret123", "application/x-www-form-urlencoded");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(form.body, 400, form.status);
		CPPUNIT_ASSERT(!form.errorCode().empty());
		HttpReply raw = _client->postJson("/register", "{\"username\": \"bad\xC3\x28\", \"password\": \"secret123\"}");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(raw.body, 400, raw.status);
		HttpReply part = _client->request("POST", "/register", multipart({
			{"username", "ok"}, {"password", "secret123"}, {"info", "bad \xED\xA0\x80 surrogate"}}), MULTIPART);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(part.body, 400, part.status);
		HttpReply login = _client->request("POST", "/login", "username=%C0%AF&password=secret123", "application/x-www-form-urlencoded");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(login.body, 400, login.status);
	}

	void testConflict()
	{
		CPPUNIT_ASSERT_EQUAL(201, _client->registerUser("ana").status);
		HttpClient other(_server->httpPort());
		HttpReply again = other.postJson("/register", json("ana", "another1"));
		CPPUNIT_ASSERT_EQUAL_MESSAGE(again.body, 409, again.status);
		CPPUNIT_ASSERT_EQUAL(std::string("conflict"), again.errorCode());
		CPPUNIT_ASSERT(sessionCookie(again).empty());
		// Names differing only by case are the same name to a reader (issue 21).
		HttpReply upper = other.postJson("/register", json("Ana", "another1"));
		CPPUNIT_ASSERT_EQUAL(409, upper.status);
		CPPUNIT_ASSERT_EQUAL(std::string("username"), errorField(upper));
		// The first user's password is unchanged.
		CPPUNIT_ASSERT_EQUAL(401, other.postJson("/login", json("ana", "another1")).status);
	}

	void testConcurrentRegistrations()
	{
		// Eight clients at once: four want the same name, four names of their own.
		const int clients = 8;
		std::vector<int> statuses(clients, 0);
		std::atomic<int> ready{0};
		std::vector<std::thread> threads;
		const Poco::UInt16 port = _server->httpPort();
		for (int i = 0; i < clients; ++i)
		{
			threads.emplace_back([&, i]()
			{
				HttpClient client(port);
				++ready;
				while (ready < clients) std::this_thread::yield();
				const std::string name = i < 4 ? std::string("twin") : "solo" + std::to_string(i);
				try
				{
					statuses[i] = client.postJson("/register", json(name, "secret123")).status;
				}
				catch (...)
				{
					statuses[i] = -1;
				}
			});
		}
		for (auto& thread: threads) thread.join();
		int created = 0;
		int conflicts = 0;
		for (int i = 0; i < 4; ++i)
		{
			if (statuses[i] == 201) ++created;
			if (statuses[i] == 409) ++conflicts;
		}
		CPPUNIT_ASSERT_EQUAL(1, created);
		CPPUNIT_ASSERT_EQUAL(3, conflicts);
		for (int i = 4; i < clients; ++i)
			CPPUNIT_ASSERT_EQUAL(201, statuses[i]);
		CPPUNIT_ASSERT_EQUAL(200, _client->postJson("/login", json("twin", "secret123")).status);
	}

	void testUnsupportedMediaType()
	{
		HttpReply text = _client->request("POST", "/register", "username=ana&password=secret123", "text/plain");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(text.body, 415, text.status);
		CPPUNIT_ASSERT_EQUAL(std::string("unsupported_media_type"), text.errorCode());
		HttpReply xml = _client->request("POST", "/login", "<login/>", "application/xml");
		CPPUNIT_ASSERT_EQUAL(415, xml.status);
	}

	void testMalformedBody()
	{
		HttpReply broken = _client->postJson("/register", "{\"username\": ");
		CPPUNIT_ASSERT_EQUAL(400, broken.status);
		CPPUNIT_ASSERT(!broken.errorCode().empty());
		HttpReply array = _client->postJson("/login", "[1, 2]");
		CPPUNIT_ASSERT_EQUAL(400, array.status);
		HttpReply empty = _client->request("POST", "/register", "", "application/json");
		CPPUNIT_ASSERT_EQUAL(400, empty.status);
		CPPUNIT_ASSERT_EQUAL(std::string("username"), errorField(empty));
	}

	void testAvatarTooLarge()
	{
		// A real PNG header padded past 2 MiB: the body fits the route's limit,
		// the image does not.
		std::string big = PNG + std::string(2 * 1024 * 1024, '\0');
		HttpReply reply = _client->request("POST", "/register", multipart({
			{"username", "bigface"}, {"password", "secret123"}, {"image", big, "big.png", "image/png"}}), MULTIPART);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 413, reply.status);
		CPPUNIT_ASSERT_EQUAL(std::string("payload_too_large"), reply.errorCode());
		// Just under the limit is fine.
		HttpClient fresh(_server->httpPort());
		std::string fits = PNG + std::string(2 * 1024 * 1024 - PNG.size(), '\0');
		HttpReply ok = fresh.request("POST", "/register", multipart({
			{"username", "bigface"}, {"password", "secret123"}, {"image", fits, "big.png", "image/png"}}), MULTIPART);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(ok.body, 201, ok.status);
	}

	void testBodyTooLarge()
	{
		// Refused from its Content-Length alone, before any of it is read.
		CPPUNIT_ASSERT_EQUAL(413, announceBody("/register", 4 * 1024 * 1024));
		CPPUNIT_ASSERT_EQUAL(413, announceBody("/login", 1024 * 1024));
	}

	void testLogin()
	{
		HttpReply registered = _client->registerUser("luis", "secret123", "soy Luis");
		CPPUNIT_ASSERT_EQUAL(201, registered.status);
		const std::string firstToken = registered.json()->getValue<std::string>("token");

		HttpClient client(_server->httpPort());
		HttpReply login = client.postJson("/login", "{\"username\": \"luis\", \"password\": \"secret123\"}");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(login.body, 200, login.status);
		auto body = login.json();
		CPPUNIT_ASSERT_EQUAL(std::string("luis"), body->getObject("user")->getValue<std::string>("userName"));
		CPPUNIT_ASSERT_EQUAL(std::string("soy Luis"), body->getObject("user")->getValue<std::string>("info"));
		const std::string token = body->getValue<std::string>("token");
		CPPUNIT_ASSERT(token != firstToken);
		const std::string cookie = sessionCookie(login);
		CPPUNIT_ASSERT_EQUAL(token, cookieValue(cookie));
		CPPUNIT_ASSERT(hasAttribute(cookie, "HttpOnly") && hasAttribute(cookie, "SameSite=Lax") && hasAttribute(cookie, "Path=/"));

		// Both sessions work side by side.
		client.setBearer(token);
		CPPUNIT_ASSERT_EQUAL(200, client.get("/me").status);
		CPPUNIT_ASSERT_EQUAL(200, _client->get("/me").status);

		// The seed's Symfony login form names work too.
		HttpClient symfony(_server->httpPort());
		CPPUNIT_ASSERT_EQUAL(200, symfony.postForm("/login", {{"_username", "luis"}, {"_password", "secret123"}}).status);
	}

	void testLoginOneMessage()
	{
		CPPUNIT_ASSERT_EQUAL(201, _client->registerUser("marta").status);
		HttpClient client(_server->httpPort());
		HttpReply wrongPassword = client.postJson("/login", json("marta", "wrong-password"));
		HttpReply unknownUser = client.postJson("/login", json("nobody-here", "wrong-password"));
		CPPUNIT_ASSERT_EQUAL(401, wrongPassword.status);
		CPPUNIT_ASSERT_EQUAL(401, unknownUser.status);
		CPPUNIT_ASSERT_EQUAL(errorMessage(wrongPassword), errorMessage(unknownUser));
		CPPUNIT_ASSERT_EQUAL(wrongPassword.errorCode(), unknownUser.errorCode());
		CPPUNIT_ASSERT(sessionCookie(wrongPassword).empty());
		CPPUNIT_ASSERT(sessionCookie(unknownUser).empty());
	}

	void testLoginValidation()
	{
		HttpReply noName = _client->postJson("/login", "{\"password\": \"secret123\"}");
		CPPUNIT_ASSERT_EQUAL(400, noName.status);
		CPPUNIT_ASSERT_EQUAL(std::string("username"), errorField(noName));
		HttpReply noPassword = _client->postJson("/login", "{\"username\": \"ana\"}");
		CPPUNIT_ASSERT_EQUAL(400, noPassword.status);
		CPPUNIT_ASSERT_EQUAL(std::string("password"), errorField(noPassword));
		// Names that registration refuses match nobody.
		CPPUNIT_ASSERT_EQUAL(401, _client->postJson("/login", json(std::string(500, 'a'), "secret123")).status);
	}

	void testLoginThrottled()
	{
		CPPUNIT_ASSERT_EQUAL(201, _client->registerUser("victim", "secret123").status);
		CPPUNIT_ASSERT_EQUAL(201, _client->registerUser("bystander", "secret123").status);
		HttpClient attacker(_server->httpPort());
		for (int i = 0; i < 5; ++i)
			CPPUNIT_ASSERT_EQUAL(401, attacker.postJson("/login", json("victim", "guess" + std::to_string(i))).status);
		HttpReply throttled = attacker.postJson("/login", json("victim", "guess5"));
		CPPUNIT_ASSERT_EQUAL_MESSAGE(throttled.body, 429, throttled.status);
		CPPUNIT_ASSERT_EQUAL(std::string("rate_limited"), throttled.errorCode());
		const int retryAfter = Poco::NumberParser::parse(throttled.header("Retry-After"));
		CPPUNIT_ASSERT(retryAfter > 0 && retryAfter <= 900);
		// Even the right password waits now.
		CPPUNIT_ASSERT_EQUAL(429, attacker.postJson("/login", json("victim", "secret123")).status);
		// Other names are not affected, and unknown names are throttled alike.
		CPPUNIT_ASSERT_EQUAL(200, attacker.postJson("/login", json("bystander", "secret123")).status);
		for (int i = 0; i < 5; ++i)
			CPPUNIT_ASSERT_EQUAL(401, attacker.postJson("/login", json("ghost", "guess")).status);
		CPPUNIT_ASSERT_EQUAL(429, attacker.postJson("/login", json("ghost", "guess")).status);
	}

	void testLogout()
	{
		HttpReply registered = _client->registerUser("rosa");
		CPPUNIT_ASSERT_EQUAL(201, registered.status);
		HttpClient second(_server->httpPort());
		HttpReply login = second.postJson("/login", json("rosa", "secret123"));
		CPPUNIT_ASSERT_EQUAL(200, login.status);
		second.setBearer(login.json()->getValue<std::string>("token"));

		HttpReply logout = _client->request("POST", "/logout");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(logout.body, 204, logout.status);
		const std::string cleared = sessionCookie(logout);
		CPPUNIT_ASSERT_EQUAL(std::string(""), cookieValue(cleared));
		CPPUNIT_ASSERT(hasAttribute(cleared, "Max-Age=0"));
		CPPUNIT_ASSERT(hasAttribute(cleared, "Path=/"));

		// That token is dead at once; the other session lives on.
		HttpReply me = _client->get("/me");
		CPPUNIT_ASSERT_EQUAL(401, me.status);
		CPPUNIT_ASSERT_EQUAL(std::string("unauthorized"), me.errorCode());
		HttpReply again = _client->request("POST", "/logout");
		CPPUNIT_ASSERT_EQUAL(401, again.status);
		CPPUNIT_ASSERT(hasAttribute(sessionCookie(again), "Max-Age=0"));
		CPPUNIT_ASSERT_EQUAL(200, second.get("/me").status);
	}

	void testLogoutByCookie()
	{
		HttpReply registered = _client->registerUser("tomas");
		const std::string token = registered.json()->getValue<std::string>("token");
		HttpClient browser(_server->httpPort());
		browser.setCookie("palaver_session=" + token);
		NameValueCollection sameOrigin;
		sameOrigin.set("Origin", "http://127.0.0.1:" + std::to_string(_server->httpPort()));
		CPPUNIT_ASSERT_EQUAL(204, browser.request("POST", "/logout", "", "", sameOrigin).status);
		CPPUNIT_ASSERT_EQUAL(401, browser.get("/me").status);
		CPPUNIT_ASSERT_EQUAL(401, _client->get("/me").status);
	}

	void testUnauthenticated()
	{
		HttpClient anonymous(_server->httpPort());
		HttpReply me = anonymous.get("/me");
		CPPUNIT_ASSERT_EQUAL(401, me.status);
		CPPUNIT_ASSERT_EQUAL(std::string("unauthorized"), me.errorCode());
		CPPUNIT_ASSERT_EQUAL(401, anonymous.request("POST", "/logout").status);
		anonymous.setBearer(std::string(64, 'a'));
		CPPUNIT_ASSERT_EQUAL(401, anonymous.get("/me").status);
		anonymous.setBearer("not a token");
		CPPUNIT_ASSERT_EQUAL(401, anonymous.get("/me").status);
		anonymous.setBearer("");
		anonymous.setCookie("palaver_session=" + std::string(64, 'b'));
		CPPUNIT_ASSERT_EQUAL(401, anonymous.get("/me").status);
		// Another scheme is no session either.
		anonymous.setCookie("");
		NameValueCollection basic;
		basic.set("Authorization", "Basic YW5hOnNlY3JldDEyMw==");
		CPPUNIT_ASSERT_EQUAL(401, anonymous.request("GET", "/me", "", "", basic).status);
	}

	void testCsrf()
	{
		HttpReply registered = _client->registerUser("eva");
		const std::string token = registered.json()->getValue<std::string>("token");
		NameValueCollection evil;
		evil.set("Origin", "http://evil.example");

		// Cookie + unsafe method + foreign Origin: refused, and the session lives on.
		HttpClient browser(_server->httpPort());
		browser.setCookie("palaver_session=" + token);
		HttpReply refused = browser.request("POST", "/logout", "", "", evil);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(refused.body, 403, refused.status);
		CPPUNIT_ASSERT_EQUAL(std::string("forbidden"), refused.errorCode());
		CPPUNIT_ASSERT_EQUAL(200, browser.get("/me").status);
		// A safe method is not refused.
		CPPUNIT_ASSERT_EQUAL(200, browser.request("GET", "/me", "", "", evil).status);
		// Log-in and registration from a foreign page are refused too (login CSRF).
		HttpClient page(_server->httpPort());
		CPPUNIT_ASSERT_EQUAL(403, page.request("POST", "/login", json("eva", "secret123"), "application/json", evil).status);
		CPPUNIT_ASSERT_EQUAL(403, page.request("POST", "/register", json("mallory", "secret123"), "application/json", evil).status);
		// Bearer-authenticated requests are not subject to it.
		HttpClient api(_server->httpPort());
		api.setBearer(token);
		CPPUNIT_ASSERT_EQUAL(204, api.request("POST", "/logout", "", "", evil).status);
		CPPUNIT_ASSERT_EQUAL(401, browser.get("/me").status);
	}

	void testAllowedOriginAndSecureCookie()
	{
		TestServer server(authOnly({"--http.allowed_origins=https://chat.example.org", "--auth.secure_cookie=true"}));
		server.start();
		HttpClient client(server.httpPort());
		HttpReply registered = client.registerUser("iris");
		CPPUNIT_ASSERT_EQUAL(201, registered.status);
		CPPUNIT_ASSERT(hasAttribute(sessionCookie(registered), "Secure"));
		HttpClient browser(server.httpPort());
		browser.setCookie("palaver_session=" + registered.json()->getValue<std::string>("token"));
		NameValueCollection other;
		other.set("Origin", "https://other.example.org");
		CPPUNIT_ASSERT_EQUAL(403, browser.request("POST", "/logout", "", "", other).status);
		NameValueCollection allowed;
		allowed.set("Origin", "https://chat.example.org");
		HttpReply logout = browser.request("POST", "/logout", "", "", allowed);
		CPPUNIT_ASSERT_EQUAL(204, logout.status);
		CPPUNIT_ASSERT(hasAttribute(sessionCookie(logout), "Secure"));
	}

	void testImageNeedsSession()
	{
		HttpReply reply = _client->request("POST", "/register", multipart({
			{"username", "pic"}, {"password", "secret123"}, {"image", PNG, "a.png", "image/png"}}), MULTIPART);
		CPPUNIT_ASSERT_EQUAL(201, reply.status);
		const std::string image = reply.json()->getObject("user")->getValue<std::string>("image");
		HttpClient anonymous(_server->httpPort());
		CPPUNIT_ASSERT_EQUAL(401, anonymous.get("/img/" + image).status);
	}

	void testPathTraversal()
	{
		HttpReply registered = _client->request("POST", "/register", multipart({
			{"username", "walker"}, {"password", "secret123"}, {"image", PNG, "a.png", "image/png"}}), MULTIPART);
		CPPUNIT_ASSERT_EQUAL(201, registered.status);
		_client->setBearer(registered.json()->getValue<std::string>("token"));
		const std::string image = registered.json()->getObject("user")->getValue<std::string>("image");
		// A file right beside the avatars, one level up, and the database.
		{
			Poco::FileOutputStream planted(_server->stateDir() + "/auth/img/notes.txt");
			planted << "planted";
		}
		const std::vector<std::string> paths = {
			"/img/..%2F..%2Fetc%2Fpasswd",
			"/img/..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd",
			"/img/../palaver.db",
			"/img/..%2Fpalaver.db",
			"/img/..%2F..%2Fpalaver.db",
			"/img/%2E%2E%2F%2E%2E%2Fpalaver.db",
			"/img/..",
			"/img/.",
			"/img/notes.txt",
			"/img/%2Fetc%2Fpasswd",
			"/img/" + image + "%00.txt",
			"/img/" + image.substr(0, 32) + ".gif",
			"/img/" + Poco::toUpper(image.substr(0, 32)) + ".png",
			"/img/" + image + ".part",
			"/img/00000000000000000000000000000000.png",
			"/img/..%5C..%5Cpalaver.db",
			"/img/%252E%252E%252Fpalaver.db",
		};
		for (const auto& path: paths)
		{
			HttpReply reply = _client->get(path);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(path, 404, reply.status);
			CPPUNIT_ASSERT_MESSAGE(path, !reply.errorCode().empty());
			CPPUNIT_ASSERT_MESSAGE(path, reply.body.find("root:") == std::string::npos);
			CPPUNIT_ASSERT_MESSAGE(path, reply.body.find("SQLite") == std::string::npos);
			CPPUNIT_ASSERT_MESSAGE(path, reply.body.find("planted") == std::string::npos);
		}
		// The real one still works.
		CPPUNIT_ASSERT_EQUAL(200, _client->get("/img/" + image).status);
	}

	void testWrongMethod()
	{
		HttpReply reply = _client->get("/login");
		CPPUNIT_ASSERT_EQUAL(405, reply.status);
		CPPUNIT_ASSERT(reply.header("Allow").find("POST") != std::string::npos);
		CPPUNIT_ASSERT_EQUAL(405, _client->request("POST", "/me").status);
	}

	void testSecretsNotStored()
	{
		const std::string password = "Very-Distinctive-Password-8472";
		HttpReply registered = _client->registerUser("keeper", password);
		CPPUNIT_ASSERT_EQUAL(201, registered.status);
		const std::string token = registered.json()->getValue<std::string>("token");
		CPPUNIT_ASSERT_EQUAL(0, _server->stop());
		std::string stored = readFile(_server->stateDir() + "/palaver.db") + readFile(_server->stateDir() + "/palaver.db-wal");
		CPPUNIT_ASSERT(stored.find("keeper") != std::string::npos);  // the check can see what is there
		CPPUNIT_ASSERT(stored.find("$argon2id$") != std::string::npos);
		CPPUNIT_ASSERT(stored.find(password) == std::string::npos);
		CPPUNIT_ASSERT(stored.find(token) == std::string::npos);
		// The log is read (it holds the test-only hashing warning) and holds neither secret.
		CPPUNIT_ASSERT(_server->output().find("below libsodium's interactive limits") != std::string::npos);
		CPPUNIT_ASSERT(_server->output().find(password) == std::string::npos);
		CPPUNIT_ASSERT(_server->output().find(token) == std::string::npos);
	}

	void testDefaultHashLimits()
	{
		// Without the test-only overrides, hashes use libsodium's interactive
		// limits: argon2id, 64 MiB, 2 passes.
		TestServer::Options options;
		options.arguments = {"--auth.enabled=true", "--contacts.enabled=false", "--messages.enabled=false",
			"--ws.enabled=false", "--web.enabled=false"};
		TestServer server(options);
		server.start();
		HttpClient client(server.httpPort());
		CPPUNIT_ASSERT_EQUAL(201, client.registerUser("strong").status);
		CPPUNIT_ASSERT_EQUAL(200, client.postJson("/login", json("strong", "secret123")).status);
		CPPUNIT_ASSERT_EQUAL(0, server.stop());
		const std::string stored = readFile(server.stateDir() + "/palaver.db") + readFile(server.stateDir() + "/palaver.db-wal");
		CPPUNIT_ASSERT(stored.find("$argon2id$v=19$m=65536,t=2,p=1$") != std::string::npos);
		CPPUNIT_ASSERT(server.output().find("below libsodium's interactive limits") == std::string::npos);
	}

	void testSessionSurvivesRestart()
	{
		HttpReply registered = _client->registerUser("paz");
		CPPUNIT_ASSERT_EQUAL(201, registered.status);
		TestServer::Options options = authOnly();
		options.stateDir = _server->stateDir();
		_server->stop();
		TestServer again(options);
		again.start();
		HttpClient client(again.httpPort());
		client.setBearer(registered.json()->getValue<std::string>("token"));
		HttpReply me = client.get("/me");
		CPPUNIT_ASSERT_EQUAL(200, me.status);
		CPPUNIT_ASSERT_EQUAL(std::string("paz"), me.json()->getValue<std::string>("userName"));
		CPPUNIT_ASSERT_EQUAL(409, client.postJson("/register", json("paz", "secret123")).status);
	}

private:
	void checkAvatarRoundTrip(const std::string& image, const std::string& fileName, const std::string& declaredType,
		const std::string& expectedType, const std::string& extension)
	{
		HttpReply reply = _client->request("POST", "/register", multipart({
			{"username", "avatar"}, {"plainPassword", "secret123"}, {"info", "with a face"},
			{"image", image, fileName, declaredType}}), MULTIPART);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 201, reply.status);
		auto user = reply.json()->getObject("user");
		const std::string name = user->getValue<std::string>("image");
		CPPUNIT_ASSERT_MESSAGE(name, Poco::RegularExpression("^[0-9a-f]{32}\\" + extension + "$").match(name));
		CPPUNIT_ASSERT_EQUAL(std::string("with a face"), user->getValue<std::string>("info"));

		_client->setBearer(reply.json()->getValue<std::string>("token"));
		HttpReply served = _client->get("/img/" + name);
		CPPUNIT_ASSERT_EQUAL(200, served.status);
		// Re-encoded by the attachments plugin (its tests check what is stripped), in the same format.
		CPPUNIT_ASSERT_EQUAL(image.substr(0, 2), served.body.substr(0, 2));
		CPPUNIT_ASSERT_EQUAL(expectedType, served.header("Content-Type"));
		CPPUNIT_ASSERT_EQUAL(std::string("nosniff"), served.header("X-Content-Type-Options"));
		// /me reports the same image.
		CPPUNIT_ASSERT_EQUAL(name, _client->get("/me").json()->getValue<std::string>("image"));
	}

	void checkInvalid(const std::string& body, const std::string& field)
	{
		HttpClient client(_server->httpPort());
		HttpReply reply = client.postJson("/register", body);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(body.substr(0, 80) + ": " + reply.body, 400, reply.status);
		CPPUNIT_ASSERT_EQUAL(std::string("validation_failed"), reply.errorCode());
		CPPUNIT_ASSERT_EQUAL_MESSAGE(body.substr(0, 80), field, errorField(reply));
		CPPUNIT_ASSERT(sessionCookie(reply).empty());
	}

	// Announces a body of size bytes and sends none of it: the status.
	int announceBody(const std::string& path, Poco::Int64 size)
	{
		HttpReply reply = HttpClient(_server->httpPort()).announceBody(path, size, "application/json");
		CPPUNIT_ASSERT_MESSAGE(reply.body, reply.errorCode() == "payload_too_large");
		return reply.status;
	}

	std::unique_ptr<TestServer> _server;
	std::unique_ptr<HttpClient> _client;
};

CPPUNIT_TEST_SUITE_REGISTRATION(AuthRoutesTest);
