// palaverctl plugins reload attachments on a running palaverd
// (docs/PLUGINS.md, "Run time"): the files uploaded before are still served,
// an upload whose body is still arriving gets 503 plugin_unavailable with
// Retry-After (never a half-stored file), a new upload works, and the new
// version's message.stored subscriber ties an upload to its message.
#include "HttpClient.h"
#include "RawUpload.h"
#include "TestImages.h"
#include "TestServer.h"
#include "UploadForm.h"
#include <Poco/File.h>
#include <Poco/Thread.h>
#include <cppunit/extensions/HelperMacros.h>
#include <memory>
#include <string>
#include <vector>

using namespace Palaver::Testing;

namespace {

struct User
{
	Poco::Int64 id = 0;
	std::string token;
};

User registerUser(TestServer& server, const std::string& name)
{
	HttpClient http(server.httpPort());
	HttpReply reply = http.registerUser(name);
	CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 201, reply.status);
	User user;
	user.id = reply.json()->getObject("user")->getValue<Poco::Int64>("id");
	user.token = reply.json()->getValue<std::string>("token");
	return user;
}

HttpReply request(TestServer& server, const User& user, const std::string& method, const std::string& path,
	const std::string& body = "", const std::string& type = "")
{
	HttpClient http(server.httpPort());
	http.setBearer(user.token);
	return http.request(method, path, body, type);
}

std::string uploaded(TestServer& server, const User& user, const std::string& name, const std::string& bytes)
{
	HttpReply reply = request(server, user, "POST", "/attachments", multipart(name, "application/octet-stream", bytes), formType());
	CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 201, reply.status);
	return reply.json()->getValue<std::string>("id");
}

void reload(TestServer& server)
{
	std::string output;
	CPPUNIT_ASSERT_EQUAL_MESSAGE(output, 0, server.palaverctl({"plugins", "reload", "attachments"}, output));
	CPPUNIT_ASSERT_MESSAGE(output, output.find("plugin 'attachments' reloaded") != std::string::npos);
}

/// The files in the store's tmp/ folder, once no upload is being answered.
std::size_t temporaryFiles(TestServer& server)
{
	std::vector<std::string> left;
	for (int i = 0; i < 20; ++i)
	{
		left.clear();
		Poco::File(server.stateDir() + "/attachments/files/tmp").list(left);
		if (left.empty()) break;
		Poco::Thread::sleep(50);
	}
	return left.size();
}

} // namespace

class AttachmentsReloadTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(AttachmentsReloadTest);
	CPPUNIT_TEST(reloadKeepsFilesAndRefusesHalfUploads);
	CPPUNIT_TEST_SUITE_END();

public:
	void reloadKeepsFilesAndRefusesHalfUploads()
	{
		TestServer::Options options;
		options.arguments = {"--auth.password_opslimit=1", "--auth.password_memlimit=8192", "--attachments.upload_timeout=60"};
		TestServer server(options);
		server.start();
		const User sender = registerUser(server, "reload-sender");
		const User receiver = registerUser(server, "reload-receiver");
		const std::string before = uploaded(server, sender, "before.txt", "uploaded before the reload");
		const std::string image = request(server, sender, "POST", "/attachments", multipart("p.png", "image/png", PNG), formType())
			.json()->getValue<std::string>("id");

		// Half of a body, then the reload, then the rest.
		const std::string body = multipart("half.txt", "text/plain", std::string(100000, 'h'));
		RawUpload half(server.httpPort(), sender.token, body.size());
		half.send(body.substr(0, body.size() / 2));
		Poco::Thread::sleep(200);  // the first part is with the receiver
		reload(server);
		half.send(body.substr(body.size() / 2));
		const std::string answer = half.answer(false);
		CPPUNIT_ASSERT_MESSAGE(answer, answer.compare(0, 12, "HTTP/1.1 503") == 0);
		CPPUNIT_ASSERT_MESSAGE(answer, answer.find("\r\nRetry-After: 1\r\n") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(answer, answer.find("\"plugin_unavailable\"") != std::string::npos);
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), temporaryFiles(server));

		// What was stored before is served by the new version.
		HttpReply file = request(server, sender, "GET", "/attachments/" + before);
		CPPUNIT_ASSERT_EQUAL(200, file.status);
		CPPUNIT_ASSERT_EQUAL(std::string("uploaded before the reload"), file.body);
		CPPUNIT_ASSERT_EQUAL(200, request(server, sender, "GET", "/attachments/" + image + "/thumbnail").status);

		// New uploads work (files and images, on the new image pool), and a
		// message ties one to its receiver (the new message.stored subscriber).
		const std::string after = uploaded(server, sender, "after.txt", "uploaded after the reload");
		HttpReply png = request(server, sender, "POST", "/attachments", multipart("q.png", "image/png", PNG), formType());
		CPPUNIT_ASSERT_EQUAL_MESSAGE(png.body, 201, png.status);
		CPPUNIT_ASSERT_EQUAL(404, request(server, receiver, "GET", "/attachments/" + after).status);
		HttpReply posted = request(server, sender, "POST", "/post/touser/" + std::to_string(receiver.id),
			"{\"attachmentId\":\"" + after + "\"}", "application/json");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(posted.body, 201, posted.status);
		file = request(server, receiver, "GET", "/attachments/" + after);
		CPPUNIT_ASSERT_EQUAL(200, file.status);
		CPPUNIT_ASSERT_EQUAL(std::string("uploaded after the reload"), file.body);

		// Its library was unloaded: it reloads again, and an upload started
		// after a reload is not refused by it.
		reload(server);
		RawUpload whole(server.httpPort(), sender.token, body.size());
		whole.send(body.substr(0, body.size() / 2));
		Poco::Thread::sleep(100);
		whole.send(body.substr(body.size() / 2));
		CPPUNIT_ASSERT_EQUAL(201, whole.status());
		CPPUNIT_ASSERT(server.running());
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(AttachmentsReloadTest);
