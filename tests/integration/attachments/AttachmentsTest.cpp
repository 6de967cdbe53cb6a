// POST /attachments, GET /attachments/{id} and /thumbnail (PROTOCOL.md Part
// 2, "Attachments") against a real palaverd: images recognised by their
// bytes and stripped of metadata, other files as downloads, access, Range,
// and each bad input of issue 17 (wrong bytes, a truncated image, a
// decompression bomb, too large, no end, a slow upload, the quota),
// messages that carry attachments, and two nodes sharing one store folder.
#include "ClusterServices.h"
#include "HttpClient.h"
#include "TestImages.h"
#include "TestServer.h"
#include "RawUpload.h"
#include "UploadForm.h"
#include <Poco/File.h>
#include <Poco/TemporaryFile.h>
#include <Poco/Thread.h>
#include <Poco/Timestamp.h>
#include <cppunit/extensions/HelperMacros.h>
#include <memory>
#include <sstream>
#include <utility>
#include <vector>
#include <string>
#include <zlib.h>

using namespace Palaver::Testing;

namespace {

const std::string BOUNDARY = UPLOAD_BOUNDARY;
constexpr Poco::UInt64 MAX_SIZE = 200000;
constexpr Poco::UInt64 QUOTA = 500000;

// A PNG chunk: length, type, data, CRC.
std::string chunk(const std::string& type, const std::string& data)
{
	std::string out;
	const auto length = static_cast<std::uint32_t>(data.size());
	for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((length >> shift) & 0xFF);
	const std::string typed = type + data;
	out += typed;
	const auto crc = static_cast<std::uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(typed.data()), static_cast<uInt>(typed.size())));
	for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((crc >> shift) & 0xFF);
	return out;
}

std::string bigEndian(std::uint32_t value)
{
	std::string out;
	for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((value >> shift) & 0xFF);
	return out;
}

// A decompression bomb: a PNG that declares 100,000 x 100,000 grey pixels
// (10 GB decoded) in a few KiB: the first 10 MB of its zeros, compressed.
std::string bomb()
{
	const std::uint32_t side = 100000;
	std::string header = bigEndian(side) + bigEndian(side) + std::string("\x08\x00\x00\x00\x00", 5);
	z_stream z{};
	deflateInit(&z, 9);
	const std::string zeros(1 << 20, '\0');
	std::string compressed(64 * 1024, '\0');
	z.next_out = reinterpret_cast<Bytef*>(&compressed[0]);
	z.avail_out = static_cast<uInt>(compressed.size());
	for (int i = 0; i < 10; ++i)
	{
		z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zeros.data()));
		z.avail_in = static_cast<uInt>(zeros.size());
		deflate(&z, Z_NO_FLUSH);
	}
	deflate(&z, Z_SYNC_FLUSH);
	compressed.resize(compressed.size() - z.avail_out);
	deflateEnd(&z);
	return std::string("\x89PNG\r\n\x1A\n", 8) + chunk("IHDR", header) + chunk("IDAT", compressed) + chunk("IEND", "");
}

// A grey PNG of width x height pixels.
std::string greyPng(std::uint32_t width, std::uint32_t height)
{
	std::string rows;
	for (std::uint32_t y = 0; y < height; ++y) rows += std::string(1, '\0') + std::string(width, static_cast<char>(y * 7));
	uLongf size = compressBound(static_cast<uLong>(rows.size()));
	std::string compressed(size, '\0');
	compress(reinterpret_cast<Bytef*>(&compressed[0]), &size, reinterpret_cast<const Bytef*>(rows.data()), static_cast<uLong>(rows.size()));
	compressed.resize(size);
	const std::string header = bigEndian(width) + bigEndian(height) + std::string("\x08\x00\x00\x00\x00", 5);
	return std::string("\x89PNG\r\n\x1A\n", 8) + chunk("IHDR", header) + chunk("IDAT", compressed) + chunk("IEND", "");
}

// A PNG's width and height, from its IHDR chunk.
std::pair<std::uint32_t, std::uint32_t> pngSize(const std::string& png)
{
	auto at = [&png](std::size_t offset)
	{
		std::uint32_t value = 0;
		for (std::size_t i = 0; i < 4; ++i) value = (value << 8) | static_cast<unsigned char>(png.at(offset + i));
		return value;
	};
	return {at(16), at(20)};
}

// JPEG_1X1 with an APP1 Exif block right after SOI that holds a GPS position
// (40° 26' 46.42" N): a TIFF header, IFD0 pointing to the GPS IFD, which has
// GPSLatitudeRef and GPSLatitude.
std::string jpegWithGps()
{
	const unsigned char tiff[] = {
		'I', 'I', 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00,
		0x01, 0x00, 0x25, 0x88, 0x04, 0x00, 0x01, 0x00, 0x00, 0x00, 0x1A, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x02, 0x00,
		0x01, 0x00, 0x02, 0x00, 0x02, 0x00, 0x00, 0x00, 'N', 0x00, 0x00, 0x00,
		0x02, 0x00, 0x05, 0x00, 0x03, 0x00, 0x00, 0x00, 0x38, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00,
		40, 0, 0, 0, 1, 0, 0, 0, 26, 0, 0, 0, 1, 0, 0, 0, 0x22, 0x12, 0, 0, 100, 0, 0, 0};
	const std::string exif = std::string("Exif\0\0", 6) + std::string(reinterpret_cast<const char*>(tiff), sizeof(tiff));
	const std::size_t length = exif.size() + 2;
	const std::string app1 = std::string("\xFF\xE1", 2) + static_cast<char>(length >> 8) + static_cast<char>(length & 0xFF) + exif;
	return JPEG.substr(0, 2) + app1 + JPEG.substr(2);
}

} // namespace

class AttachmentsTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(AttachmentsTest);
	CPPUNIT_TEST(testImageUploadAndServing);
	CPPUNIT_TEST(testOpaqueFile);
	CPPUNIT_TEST(testWrongBytesClaimingPng);
	CPPUNIT_TEST(testGpsIsStripped);
	CPPUNIT_TEST(testTruncatedImage);
	CPPUNIT_TEST(testDecompressionBomb);
	CPPUNIT_TEST(testTooLargeBeforeTheBody);
	CPPUNIT_TEST(testTooLargeWhileStreaming);
	CPPUNIT_TEST(testNoEnd);
	CPPUNIT_TEST(testSlowUpload);
	CPPUNIT_TEST(testQuota);
	CPPUNIT_TEST(testStranger);
	CPPUNIT_TEST(testRange);
	CPPUNIT_TEST(testBadRequests);
	CPPUNIT_TEST(testExpiry);
	CPPUNIT_TEST(testMessageCarriesAttachment);
	CPPUNIT_TEST(testSearchHitCarriesTheAttachment);
	CPPUNIT_TEST(testAttachOnlyOwnOnce);
	CPPUNIT_TEST(testDeletingTheMessageDeletesTheFile);
	CPPUNIT_TEST(testTwoNodesShareOneStore);
	CPPUNIT_TEST(testAvatarGpsIsStripped);
	CPPUNIT_TEST(testAvatarIsShrunk);
	CPPUNIT_TEST(testAvatarBombRefused);
	CPPUNIT_TEST(testAvatarRefusedWithoutThePlugin);
	CPPUNIT_TEST_SUITE_END();

public:
	static TestServer& server()
	{
		// One palaverd for the suite; each test registers users of its own.
		static std::unique_ptr<TestServer> instance = [] {
			TestServer::Options options;
			options.arguments = {"--auth.password_opslimit=1", "--auth.password_memlimit=8192",
				"--attachments.max_size=" + std::to_string(MAX_SIZE), "--attachments.quota=" + std::to_string(QUOTA),
				"--attachments.upload_timeout=2", "--attachments.max_pixels=10000000"};
			auto started = std::make_unique<TestServer>(options);
			started->start();
			return started;
		}();
		return *instance;
	}

	static std::string userToken(const std::string& name, Poco::Int64* id = nullptr)
	{
		HttpClient http(server().httpPort());
		HttpReply reply = http.registerUser(name);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 201, reply.status);
		if (id) *id = reply.json()->getObject("user")->getValue<Poco::Int64>("id");
		return reply.json()->getValue<std::string>("token");
	}

	static HttpReply postJson(const std::string& token, const std::string& path, const std::string& json)
	{
		HttpClient http(server().httpPort());
		http.setBearer(token);
		return http.postJson(path, json);
	}

	static std::string uploadedId(const std::string& token, const std::string& body)
	{
		HttpReply reply = upload(token, body);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 201, reply.status);
		return reply.json()->getValue<std::string>("id");
	}

	static HttpReply upload(const std::string& token, const std::string& body)
	{
		HttpClient http(server().httpPort());
		http.setBearer(token);
		return http.request("POST", "/attachments", body, formType());
	}

	static HttpReply fetch(const std::string& token, const std::string& path, const std::string& range = "")
	{
		HttpClient http(server().httpPort());
		http.setBearer(token);
		Poco::Net::NameValueCollection headers;
		if (!range.empty()) headers.set("Range", range);
		return http.request("GET", path, "", "", headers);
	}

	static void assertServedSafely(const HttpReply& reply)
	{
		CPPUNIT_ASSERT_EQUAL(std::string("nosniff"), reply.header("X-Content-Type-Options"));
		CPPUNIT_ASSERT(reply.header("Content-Security-Policy").find("default-src 'none'") != std::string::npos);
		CPPUNIT_ASSERT(reply.header("Cache-Control").find("private") != std::string::npos);
	}

	void testImageUploadAndServing()
	{
		const std::string token = userToken("att-image");
		HttpReply reply = upload(token, multipart("playa.png", "image/png", PNG));
		CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 201, reply.status);
		auto json = reply.json();
		const std::string id = json->getValue<std::string>("id");
		CPPUNIT_ASSERT_EQUAL(std::size_t(22), id.size());
		CPPUNIT_ASSERT_EQUAL(std::string("playa.png"), json->getValue<std::string>("name"));
		CPPUNIT_ASSERT_EQUAL(std::string("image/png"), json->getValue<std::string>("type"));
		CPPUNIT_ASSERT_EQUAL(2, json->getValue<int>("width"));
		CPPUNIT_ASSERT_EQUAL(2, json->getValue<int>("height"));
		CPPUNIT_ASSERT(json->getValue<bool>("thumbnail"));

		HttpReply file = fetch(token, "/attachments/" + id);
		CPPUNIT_ASSERT_EQUAL(200, file.status);
		CPPUNIT_ASSERT_EQUAL(std::string("image/png"), file.header("Content-Type"));
		CPPUNIT_ASSERT_EQUAL(std::string("\x89PNG", 4), file.body.substr(0, 4));
		CPPUNIT_ASSERT_EQUAL(json->getValue<std::size_t>("size"), file.body.size());
		CPPUNIT_ASSERT(file.header("Content-Disposition").empty());
		assertServedSafely(file);

		HttpReply thumbnail = fetch(token, "/attachments/" + id + "/thumbnail");
		CPPUNIT_ASSERT_EQUAL(200, thumbnail.status);
		CPPUNIT_ASSERT(thumbnail.header("Content-Type") == "image/jpeg" || thumbnail.header("Content-Type") == "image/png");
		assertServedSafely(thumbnail);

		// Ids are random: a second upload of the same bytes gets another.
		HttpReply again = upload(token, multipart("playa.png", "image/png", PNG));
		CPPUNIT_ASSERT_EQUAL(201, again.status);
		CPPUNIT_ASSERT(again.json()->getValue<std::string>("id") != id);
	}

	void testOpaqueFile()
	{
		const std::string token = userToken("att-opaque");
		HttpReply reply = upload(token, multipart("notas del día.txt", "text/html", "<script>alert(1)</script>"));
		CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 201, reply.status);
		auto json = reply.json();
		CPPUNIT_ASSERT_EQUAL(std::string("application/octet-stream"), json->getValue<std::string>("type"));
		CPPUNIT_ASSERT(!json->getValue<bool>("thumbnail"));
		CPPUNIT_ASSERT(json->isNull("width"));
		HttpReply file = fetch(token, "/attachments/" + json->getValue<std::string>("id"));
		CPPUNIT_ASSERT_EQUAL(200, file.status);
		CPPUNIT_ASSERT_EQUAL(std::string("<script>alert(1)</script>"), file.body);
		CPPUNIT_ASSERT_EQUAL(std::string("application/octet-stream"), file.header("Content-Type"));
		CPPUNIT_ASSERT(file.header("Content-Disposition").find("attachment;") == 0);
		CPPUNIT_ASSERT(file.header("Content-Disposition").find("filename*=UTF-8''notas%20del%20d%C3%ADa.txt") != std::string::npos);
		assertServedSafely(file);
		CPPUNIT_ASSERT_EQUAL(404, fetch(token, "/attachments/" + json->getValue<std::string>("id") + "/thumbnail").status);
	}

	void testWrongBytesClaimingPng()
	{
		// The claim is ignored: the bytes are no image, so it is a download, never served as image/png.
		const std::string token = userToken("att-liar");
		HttpReply reply = upload(token, multipart("photo.png", "image/png", "GIF? no: plain text pretending to be a PNG"));
		CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 201, reply.status);
		CPPUNIT_ASSERT_EQUAL(std::string("application/octet-stream"), reply.json()->getValue<std::string>("type"));
		HttpReply file = fetch(token, "/attachments/" + reply.json()->getValue<std::string>("id"));
		CPPUNIT_ASSERT_EQUAL(std::string("application/octet-stream"), file.header("Content-Type"));
		CPPUNIT_ASSERT(file.header("Content-Disposition").find("attachment;") == 0);
	}

	void testGpsIsStripped()
	{
		const std::string token = userToken("att-gps");
		const std::string original = jpegWithGps();
		CPPUNIT_ASSERT(original.find("Exif") != std::string::npos);
		HttpReply reply = upload(token, multipart("gps.jpg", "image/jpeg", original));
		CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 201, reply.status);
		CPPUNIT_ASSERT_EQUAL(std::string("image/jpeg"), reply.json()->getValue<std::string>("type"));
		HttpReply file = fetch(token, "/attachments/" + reply.json()->getValue<std::string>("id"));
		CPPUNIT_ASSERT_EQUAL(200, file.status);
		CPPUNIT_ASSERT_EQUAL(std::string("\xFF\xD8", 2), file.body.substr(0, 2));
		CPPUNIT_ASSERT(file.body.find("Exif") == std::string::npos);
		CPPUNIT_ASSERT(file.body.find(std::string("\xFF\xE1", 2)) == std::string::npos);  // no APP1 (EXIF, XMP) at all
		// And the copy on disk is the stripped one: nothing else is kept.
		HttpReply thumbnail = fetch(token, "/attachments/" + reply.json()->getValue<std::string>("id") + "/thumbnail");
		CPPUNIT_ASSERT(thumbnail.body.find("Exif") == std::string::npos);
	}

	void testTruncatedImage()
	{
		const std::string token = userToken("att-truncated");
		for (const std::string& cut: {PNG.substr(0, PNG.size() - 20), JPEG.substr(0, JPEG.size() / 2)})
		{
			HttpReply reply = upload(token, multipart("cut", "image/png", cut));
			CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 400, reply.status);
			CPPUNIT_ASSERT_EQUAL(std::string("invalid_image"), reply.errorCode());
		}
		assertNothingHalfStored();
	}

	void testDecompressionBomb()
	{
		const std::string token = userToken("att-bomb");
		const std::string png = bomb();
		CPPUNIT_ASSERT(png.size() < 64 * 1024);
		const long peakBefore = server().statusField("VmHWM");
		const Poco::Timestamp started;
		HttpReply reply = upload(token, multipart("bomb.png", "image/png", png));
		CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 413, reply.status);
		CPPUNIT_ASSERT_EQUAL(std::string("image_too_large"), reply.errorCode());
		CPPUNIT_ASSERT_MESSAGE("refused in bounded time", started.elapsed() < 2 * Poco::Timestamp::resolution());
		const long peakAfter = server().statusField("VmHWM");
		CPPUNIT_ASSERT_MESSAGE("bounded memory: " + std::to_string(peakAfter - peakBefore) + " KiB more",
			peakAfter - peakBefore < 64 * 1024);
		assertNothingHalfStored();
	}

	void testTooLargeBeforeTheBody()
	{
		// 2 GiB announced, none sent: refused from the head alone.
		HttpClient http(server().httpPort());
		http.setBearer(userToken("att-huge"));
		HttpReply reply = http.announceBody("/attachments", Poco::Int64(2) << 30, formType());
		CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 413, reply.status);
	}

	void testTooLargeWhileStreaming()
	{
		// Within the form's allowance but past max_size: refused once the bytes pass it.
		const std::string token = userToken("att-large");
		HttpReply reply = upload(token, multipart("big.bin", "application/octet-stream", std::string(MAX_SIZE + 1000, 'x')));
		CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 413, reply.status);
		CPPUNIT_ASSERT_EQUAL(std::string("too_large"), reply.errorCode());
		assertNothingHalfStored();
	}

	void testNoEnd()
	{
		const std::string token = userToken("att-noend");
		HttpReply reply = upload(token, multipart("open.txt", "text/plain", "no closing boundary", false));
		CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 400, reply.status);
		assertNothingHalfStored();
	}

	void testSlowUpload()
	{
		// Half of the body, then nothing: 408 once upload_timeout (2 s) has passed.
		const std::string body = multipart("slow.txt", "text/plain", std::string(1000, 's'));
		RawUpload request(server().httpPort(), userToken("att-slow"), body.size());
		request.send(body.substr(0, body.size() / 2));
		const Poco::Timestamp started;
		CPPUNIT_ASSERT_EQUAL(408, request.status());
		CPPUNIT_ASSERT(started.elapsed() < 5 * Poco::Timestamp::resolution());
		assertNothingHalfStored();
	}

	void testQuota()
	{
		const std::string token = userToken("att-quota");
		const std::string file(MAX_SIZE - 1000, 'q');
		// QUOTA holds two of them, not three.
		CPPUNIT_ASSERT_EQUAL(201, upload(token, multipart("1.bin", "application/octet-stream", file)).status);
		CPPUNIT_ASSERT_EQUAL(201, upload(token, multipart("2.bin", "application/octet-stream", file)).status);
		HttpReply third = upload(token, multipart("3.bin", "application/octet-stream", file));
		CPPUNIT_ASSERT_EQUAL_MESSAGE(third.body, 413, third.status);
		CPPUNIT_ASSERT_EQUAL(std::string("quota_exceeded"), third.errorCode());
		// Another user has a quota of their own.
		CPPUNIT_ASSERT_EQUAL(201, upload(userToken("att-quota2"), multipart("1.bin", "application/octet-stream", file)).status);
	}

	void testStranger()
	{
		const std::string owner = userToken("att-owner");
		HttpReply reply = upload(owner, multipart("private.png", "image/png", PNG));
		const std::string id = reply.json()->getValue<std::string>("id");
		const std::string stranger = userToken("att-stranger");
		CPPUNIT_ASSERT_EQUAL(404, fetch(stranger, "/attachments/" + id).status);
		CPPUNIT_ASSERT_EQUAL(404, fetch(stranger, "/attachments/" + id + "/thumbnail").status);
		CPPUNIT_ASSERT_EQUAL(404, fetch(stranger, "/attachments/AAAAAAAAAAAAAAAAAAAAAA").status);
		CPPUNIT_ASSERT_EQUAL(401, fetch("", "/attachments/" + id).status);
		CPPUNIT_ASSERT_EQUAL(401, upload("", multipart("x.png", "image/png", PNG)).status);
	}

	void testRange()
	{
		const std::string token = userToken("att-range");
		std::string bytes;
		for (int i = 0; i < 1000; ++i) bytes += static_cast<char>('a' + i % 26);
		HttpReply reply = upload(token, multipart("abc.bin", "application/octet-stream", bytes));
		const std::string path = "/attachments/" + reply.json()->getValue<std::string>("id");
		HttpReply part = fetch(token, path, "bytes=10-19");
		CPPUNIT_ASSERT_EQUAL(206, part.status);
		CPPUNIT_ASSERT_EQUAL(bytes.substr(10, 10), part.body);
		CPPUNIT_ASSERT_EQUAL(std::string("bytes 10-19/1000"), part.header("Content-Range"));
		HttpReply tail = fetch(token, path, "bytes=-5");
		CPPUNIT_ASSERT_EQUAL(206, tail.status);
		CPPUNIT_ASSERT_EQUAL(bytes.substr(995), tail.body);
		HttpReply open = fetch(token, path, "bytes=990-");
		CPPUNIT_ASSERT_EQUAL(bytes.substr(990), open.body);
		HttpReply outside = fetch(token, path, "bytes=2000-");
		CPPUNIT_ASSERT_EQUAL(416, outside.status);
		CPPUNIT_ASSERT_EQUAL(std::string("bytes */1000"), outside.header("Content-Range"));
		HttpReply whole = fetch(token, path, "bytes=1-2,5-6");
		CPPUNIT_ASSERT_EQUAL(200, whole.status);
		CPPUNIT_ASSERT_EQUAL(bytes, whole.body);
		CPPUNIT_ASSERT_EQUAL(std::string("bytes"), whole.header("Accept-Ranges"));
	}

	void testBadRequests()
	{
		const std::string token = userToken("att-bad");
		HttpClient http(server().httpPort());
		http.setBearer(token);
		CPPUNIT_ASSERT_EQUAL(415, http.request("POST", "/attachments", "{}", "application/json").status);
		CPPUNIT_ASSERT_EQUAL(400, http.request("POST", "/attachments", "x", "multipart/form-data").status);
		// A form without a file, and one with two.
		const std::string field = "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"caption\"\r\n\r\nhola\r\n--" +
			BOUNDARY + "--\r\n";
		HttpReply noFile = upload(token, field);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(noFile.body, 400, noFile.status);
		const std::string one = multipart("a.txt", "text/plain", "a", false);
		HttpReply two = upload(token, one + multipart("b.txt", "text/plain", "b").substr(0));
		CPPUNIT_ASSERT_EQUAL_MESSAGE(two.body, 400, two.status);
		// The connection survives a refused upload with keep-alive: the server stays healthy.
		CPPUNIT_ASSERT_EQUAL(200, HttpClient(server().httpPort()).get("/health").status);
		assertNothingHalfStored();
	}

	void testExpiry()
	{
		// A server of its own whose unattached uploads expire after a second.
		TestServer::Options options;
		options.arguments = {"--auth.password_opslimit=1", "--auth.password_memlimit=8192",
			"--attachments.unattached_ttl=1", "--attachments.expiry_interval=1"};
		TestServer expiring(options);
		expiring.start();
		HttpClient http(expiring.httpPort());
		HttpReply user = http.registerUser("att-expiry");
		HttpReply reply = http.request("POST", "/attachments", multipart("soon.txt", "text/plain", "gone soon"), formType());
		CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 201, reply.status);
		const std::string path = "/attachments/" + reply.json()->getValue<std::string>("id");
		int status = http.get(path).status;
		for (int i = 0; i < 100 && status == 200; ++i)
		{
			Poco::Thread::sleep(100);
			status = http.get(path).status;
		}
		CPPUNIT_ASSERT_EQUAL(404, status);
	}

	void testMessageCarriesAttachment()
	{
		Poco::Int64 senderId = 0, receiverId = 0;
		const std::string sender = userToken("att-sender", &senderId);
		const std::string receiver = userToken("att-receiver", &receiverId);
		const std::string id = uploadedId(sender, multipart("playa.png", "image/png", PNG));
		// The receiver cannot see it before it is sent.
		CPPUNIT_ASSERT_EQUAL(404, fetch(receiver, "/attachments/" + id).status);
		// No caption: an attachment alone is a message.
		HttpReply posted = postJson(sender, "/post/touser/" + std::to_string(receiverId), "{\"attachmentId\":\"" + id + "\"}");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(posted.body, 201, posted.status);
		auto attachment = posted.json()->getObject("attachment");
		CPPUNIT_ASSERT(attachment);
		CPPUNIT_ASSERT_EQUAL(id, attachment->getValue<std::string>("id"));
		CPPUNIT_ASSERT_EQUAL(std::string("image/png"), attachment->getValue<std::string>("type"));
		CPPUNIT_ASSERT_EQUAL(std::string(""), posted.json()->getValue<std::string>("text"));
		// History carries it, for both sides.
		HttpReply history = fetch(receiver, "/messages/from/" + std::to_string(senderId));
		CPPUNIT_ASSERT_EQUAL(200, history.status);
		auto last = history.jsonArray()->getObject(history.jsonArray()->size() - 1);
		CPPUNIT_ASSERT_EQUAL(id, last->getObject("attachment")->getValue<std::string>("id"));
		// Now the receiver may fetch it, a stranger still not.
		HttpReply file = fetch(receiver, "/attachments/" + id);
		CPPUNIT_ASSERT_EQUAL(200, file.status);
		CPPUNIT_ASSERT_EQUAL(std::string("image/png"), file.header("Content-Type"));
		CPPUNIT_ASSERT_EQUAL(200, fetch(receiver, "/attachments/" + id + "/thumbnail").status);
		CPPUNIT_ASSERT_EQUAL(404, fetch(userToken("att-outsider"), "/attachments/" + id).status);
		// A caption with an attachment.
		const std::string second = uploadedId(sender, multipart("b.txt", "text/plain", "bytes"));
		HttpReply captioned = postJson(sender, "/post/touser/" + std::to_string(receiverId),
			"{\"text\":\"mira\",\"attachmentId\":\"" + second + "\"}");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(captioned.body, 201, captioned.status);
		CPPUNIT_ASSERT_EQUAL(std::string("mira"), captioned.json()->getValue<std::string>("text"));
		CPPUNIT_ASSERT_EQUAL(std::string("application/octet-stream"), captioned.json()->getObject("attachment")->getValue<std::string>("type"));
		// Without attachment the text is still required.
		CPPUNIT_ASSERT_EQUAL(400, postJson(sender, "/post/touser/" + std::to_string(receiverId), "{}").status);
	}

	void testSearchHitCarriesTheAttachment()
	{
		Poco::Int64 senderId = 0, receiverId = 0;
		const std::string sender = userToken("att-search1", &senderId);
		const std::string receiver = userToken("att-search2", &receiverId);
		const std::string id = uploadedId(sender, multipart("ocaso.png", "image/png", PNG));
		HttpReply posted = postJson(sender, "/post/touser/" + std::to_string(receiverId),
			"{\"text\":\"atardecer en Cádiz\",\"attachmentId\":\"" + id + "\"}");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(posted.body, 201, posted.status);
		HttpReply history = fetch(receiver, "/messages/from/" + std::to_string(senderId));
		CPPUNIT_ASSERT_EQUAL(200, history.status);
		const auto inHistory = history.jsonArray()->getObject(history.jsonArray()->size() - 1);
		// New messages are indexed in the background (every 200 ms): asks
		// again for at most five seconds.
		HttpReply hits = fetch(receiver, "/search?q=atardecer");
		for (int i = 0; i < 100 && hits.status == 200 && hits.jsonArray()->size() == 0; ++i)
		{
			Poco::Thread::sleep(50);
			hits = fetch(receiver, "/search?q=atardecer");
		}
		CPPUNIT_ASSERT_EQUAL_MESSAGE(hits.body, 200, hits.status);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(hits.body, std::size_t(1), hits.jsonArray()->size());
		const auto hit = hits.jsonArray()->getObject(0);
		CPPUNIT_ASSERT_EQUAL(posted.json()->getValue<Poco::Int64>("id"), hit->getValue<Poco::Int64>("id"));
		// The same message object as history's, attachment and all.
		std::ostringstream found, stored;
		hit->stringify(found);
		inHistory->stringify(stored);
		CPPUNIT_ASSERT_EQUAL(stored.str(), found.str());
		CPPUNIT_ASSERT_EQUAL(id, hit->getObject("attachment")->getValue<std::string>("id"));
		CPPUNIT_ASSERT_EQUAL(std::string("ocaso.png"), hit->getObject("attachment")->getValue<std::string>("name"));
	}

	void testAttachOnlyOwnOnce()
	{
		Poco::Int64 otherId = 0;
		const std::string owner = userToken("att-own1");
		const std::string other = userToken("att-own2", &otherId);
		Poco::Int64 ownerId = 0;
		userToken("att-own3", &ownerId);
		const std::string id = uploadedId(owner, multipart("x.png", "image/png", PNG));
		// Someone else cannot attach it.
		HttpReply foreign = postJson(other, "/post/touser/" + std::to_string(ownerId), "{\"attachmentId\":\"" + id + "\"}");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(foreign.body, 400, foreign.status);
		CPPUNIT_ASSERT_EQUAL(std::string("attachmentId"), foreign.json()->getObject("error")->getValue<std::string>("field"));
		// The owner attaches it once.
		CPPUNIT_ASSERT_EQUAL(201, postJson(owner, "/post/touser/" + std::to_string(otherId), "{\"attachmentId\":\"" + id + "\"}").status);
		CPPUNIT_ASSERT_EQUAL(400, postJson(owner, "/post/touser/" + std::to_string(otherId), "{\"attachmentId\":\"" + id + "\"}").status);
		CPPUNIT_ASSERT_EQUAL(400, postJson(owner, "/post/touser/" + std::to_string(otherId), "{\"attachmentId\":\"nonsense\"}").status);
		// A refused post (unknown receiver) leaves the upload free to attach.
		const std::string free = uploadedId(owner, multipart("y.png", "image/png", PNG));
		CPPUNIT_ASSERT_EQUAL(404, postJson(owner, "/post/touser/999999", "{\"attachmentId\":\"" + free + "\"}").status);
		CPPUNIT_ASSERT_EQUAL(201, postJson(owner, "/post/touser/" + std::to_string(otherId), "{\"attachmentId\":\"" + free + "\"}").status);
	}

	void testDeletingTheMessageDeletesTheFile()
	{
		Poco::Int64 receiverId = 0;
		const std::string sender = userToken("att-del1");
		const std::string receiver = userToken("att-del2", &receiverId);
		const std::string id = uploadedId(sender, multipart("gone.png", "image/png", PNG));
		HttpReply posted = postJson(sender, "/post/touser/" + std::to_string(receiverId), "{\"attachmentId\":\"" + id + "\"}");
		CPPUNIT_ASSERT_EQUAL(201, posted.status);
		HttpClient http(server().httpPort());
		http.setBearer(sender);
		CPPUNIT_ASSERT_EQUAL(204, http.request("DELETE", "/messages/" + std::to_string(posted.json()->getValue<Poco::Int64>("id"))).status);
		// Removed by the plugin's background thread: within seconds even on a loaded machine.
		int status = fetch(receiver, "/attachments/" + id).status;
		for (int i = 0; i < 200 && status == 200; ++i)
		{
			Poco::Thread::sleep(50);
			status = fetch(receiver, "/attachments/" + id).status;
		}
		CPPUNIT_ASSERT_EQUAL(404, status);
		CPPUNIT_ASSERT_EQUAL(404, fetch(sender, "/attachments/" + id).status);
		CPPUNIT_ASSERT(!Poco::File(server().stateDir() + "/attachments/files/" + id.substr(0, 2) + "/" + id).exists());
	}

	void testTwoNodesShareOneStore()
	{
		// Two nodes on one PostgreSQL database and one store folder (as over NFS).
		ClusterServices services;
		services.startPostgreSQL();
		const std::string database = ClusterServices::createDatabase(services.postgreSQL(), "palaver_attachments_nodes");
		Poco::TemporaryFile store;
		store.createDirectories();
		auto startNode = [&]
		{
			TestServer::Options options;
			options.arguments = {"--auth.password_opslimit=1", "--auth.password_memlimit=8192",
				"--database.connector=postgresql", "--database.connection=" + database,
				"--attachments.store_dir=" + store.path()};
			auto node = std::make_unique<TestServer>(options);
			node->start();
			return node;
		};
		const auto node1 = startNode();
		const auto node2 = startNode();
		HttpClient sender(node1->httpPort());
		CPPUNIT_ASSERT_EQUAL(201, sender.registerUser("att-node-sender").status);
		HttpClient receiver(node2->httpPort());
		HttpReply registered = receiver.registerUser("att-node-receiver");
		const Poco::Int64 receiverId = registered.json()->getObject("user")->getValue<Poco::Int64>("id");

		// Uploaded on node 1, served by node 2.
		HttpReply uploaded = sender.request("POST", "/attachments", multipart("both.png", "image/png", PNG), formType());
		CPPUNIT_ASSERT_EQUAL_MESSAGE(uploaded.body, 201, uploaded.status);
		const std::string id = uploaded.json()->getValue<std::string>("id");
		HttpClient senderOnNode2(node2->httpPort());
		HttpReply login = HttpClient(node2->httpPort()).postJson("/login", "{\"username\":\"att-node-sender\",\"password\":\"secret123\"}");
		senderOnNode2.setBearer(login.json()->getValue<std::string>("token"));
		HttpReply there = senderOnNode2.get("/attachments/" + id);
		CPPUNIT_ASSERT_EQUAL(200, there.status);
		CPPUNIT_ASSERT_EQUAL(sender.get("/attachments/" + id).body, there.body);
		CPPUNIT_ASSERT_EQUAL(200, senderOnNode2.get("/attachments/" + id + "/thumbnail").status);

		// Sent from node 2, fetched by its receiver on node 1.
		HttpReply posted = senderOnNode2.postJson("/post/touser/" + std::to_string(receiverId), "{\"attachmentId\":\"" + id + "\"}");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(posted.body, 201, posted.status);
		HttpClient receiverOnNode1(node1->httpPort());
		receiverOnNode1.setBearer(registered.json()->getValue<std::string>("token"));
		CPPUNIT_ASSERT_EQUAL(there.body, receiverOnNode1.get("/attachments/" + id).body);
	}

	void testAvatarGpsIsStripped()
	{
		// Issue 17: avatars get the same treatment as attachments.
		const std::string token = userToken("att-avatar-gps");
		HttpReply reply = avatar(token, jpegWithGps());
		CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 200, reply.status);
		const std::string name = reply.json()->getValue<std::string>("image");
		HttpReply served = fetch(token, "/img/" + name);
		CPPUNIT_ASSERT_EQUAL(200, served.status);
		CPPUNIT_ASSERT_EQUAL(std::string("image/jpeg"), served.header("Content-Type"));
		CPPUNIT_ASSERT_EQUAL(std::string("\xFF\xD8", 2), served.body.substr(0, 2));
		CPPUNIT_ASSERT(served.body.find("Exif") == std::string::npos);
		CPPUNIT_ASSERT(served.body.find(std::string("\xFF\xE1", 2)) == std::string::npos);
		// Registration's avatar too.
		HttpReply registered = HttpClient(server().httpPort()).request("POST", "/register",
			"--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\natt-avatar-reg\r\n"
			"--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\nsecret123\r\n" +
			multipart("me.jpg", "image/jpeg", jpegWithGps(), true, "image"), formType());
		CPPUNIT_ASSERT_EQUAL_MESSAGE(registered.body, 201, registered.status);
		HttpReply registeredImage = fetch(token, "/img/" + registered.json()->getObject("user")->getValue<std::string>("image"));
		CPPUNIT_ASSERT_EQUAL(200, registeredImage.status);
		CPPUNIT_ASSERT(registeredImage.body.find("Exif") == std::string::npos);
	}

	void testAvatarIsShrunk()
	{
		const std::string token = userToken("att-avatar-big");
		HttpReply reply = avatar(token, greyPng(1500, 300));
		CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 200, reply.status);
		HttpReply served = fetch(token, "/img/" + reply.json()->getValue<std::string>("image"));
		CPPUNIT_ASSERT_EQUAL(std::string("image/png"), served.header("Content-Type"));
		const auto size = pngSize(served.body);
		CPPUNIT_ASSERT_EQUAL(std::uint32_t(512), size.first);
		CPPUNIT_ASSERT_EQUAL(std::uint32_t(102), size.second);
		// A small one is never enlarged.
		HttpReply small = avatar(token, greyPng(40, 30));
		CPPUNIT_ASSERT_EQUAL_MESSAGE(small.body, 200, small.status);
		const auto kept = pngSize(fetch(token, "/img/" + small.json()->getValue<std::string>("image")).body);
		CPPUNIT_ASSERT_EQUAL(std::uint32_t(40), kept.first);
		CPPUNIT_ASSERT_EQUAL(std::uint32_t(30), kept.second);
	}

	void testAvatarBombRefused()
	{
		const std::string token = userToken("att-avatar-bomb");
		const Poco::Timestamp started;
		HttpReply reply = avatar(token, bomb());
		CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 413, reply.status);
		CPPUNIT_ASSERT_EQUAL(std::string("image_too_large"), reply.errorCode());
		CPPUNIT_ASSERT_EQUAL(std::string("image"), reply.json()->getObject("error")->getValue<std::string>("field"));
		CPPUNIT_ASSERT_MESSAGE("refused in bounded time", started.elapsed() < 2 * Poco::Timestamp::resolution());
		// Nothing changed, nothing kept; a truncated picture is refused too.
		CPPUNIT_ASSERT(fetch(token, "/me").json()->isNull("image"));
		HttpReply truncated = avatar(token, JPEG.substr(0, JPEG.size() / 2));
		CPPUNIT_ASSERT_EQUAL_MESSAGE(truncated.body, 400, truncated.status);
		CPPUNIT_ASSERT_EQUAL(std::string("invalid_image"), truncated.errorCode());
		std::vector<std::string> files;
		Poco::File(server().stateDir() + "/auth/img").list(files);
		for (const std::string& file: files) CPPUNIT_ASSERT_MESSAGE(file, file.find(".part") == std::string::npos);
	}

	void testAvatarRefusedWithoutThePlugin()
	{
		// Nothing else decodes pictures: without the plugin no avatar is stored as uploaded.
		TestServer::Options options;
		options.arguments = {"--auth.password_opslimit=1", "--auth.password_memlimit=8192", "--attachments.enabled=false"};
		TestServer plain(options);
		plain.start();
		HttpClient http(plain.httpPort());
		http.setBearer(http.registerUser("att-avatar-plain").json()->getValue<std::string>("token"));
		HttpReply reply = http.request("POST", "/me/image", multipart("me.png", "image/png", PNG, true, "image"), formType());
		CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 400, reply.status);
		CPPUNIT_ASSERT_EQUAL(std::string("validation_failed"), reply.errorCode());
		CPPUNIT_ASSERT_EQUAL(std::string("image"), reply.json()->getObject("error")->getValue<std::string>("field"));
		CPPUNIT_ASSERT(http.get("/me").json()->isNull("image"));
	}

private:
	static HttpReply avatar(const std::string& token, const std::string& image)
	{
		HttpClient http(server().httpPort());
		http.setBearer(token);
		return http.request("POST", "/me/image", multipart("me.png", "image/png", image, true, "image"), formType());
	}

	// No partial file is left in the store's tmp/ folder once the answer came.
	static void assertNothingHalfStored()
	{
		const std::string tmp = server().stateDir() + "/attachments/files/tmp";
		std::vector<std::string> left;
		for (int i = 0; i < 20; ++i)
		{
			left.clear();
			Poco::File(tmp).list(left);
			if (left.empty()) break;
			Poco::Thread::sleep(50);
		}
		CPPUNIT_ASSERT_EQUAL_MESSAGE(left.empty() ? "" : left.front(), std::size_t(0), left.size());
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(AttachmentsTest);
