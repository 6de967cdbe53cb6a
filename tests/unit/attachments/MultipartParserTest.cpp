// MultipartParser (the attachments plugin's streaming multipart/form-data
// parser), ImageType, FileAnswer::parseRange and Uploads::displayName.
#include "FileAnswer.h"
#include "ImageType.h"
#include "MultipartParser.h"
#include "Uploads.h"
#include "palaver/HttpError.h"
#include <cppunit/extensions/HelperMacros.h>
#include <string>
#include <vector>

using namespace Palaver::Attachments;

namespace {

const std::string BODY =
	"preamble\r\n"
	"--XyZ\r\n"
	"Content-Disposition: form-data; name=\"caption\"\r\n\r\n"
	"hola\r\n"
	"--XyZ\r\n"
	"Content-Disposition: form-data; name=\"file\"; filename=\"a b.png\"\r\n"
	"Content-Type: image/png\r\n\r\n"
	"\r\n--XyQ\r\n--Xy\r\n-\r\n"
	"--XyZ--\r\n"
	"epilogue";

struct Parsed
{
	std::vector<MultipartParser::PartHead> parts;
	std::vector<std::string> data;
};

// Feeds body in pieces of at most step bytes.
Parsed parse(const std::string& body, std::size_t step, bool finish = true)
{
	Parsed parsed;
	MultipartParser parser("XyZ",
		{[&parsed](const MultipartParser::PartHead& part) { parsed.parts.push_back(part); parsed.data.emplace_back(); },
		 [&parsed](const char* data, std::size_t size) { parsed.data.back().append(data, size); }},
		MultipartParser::Limits());
	for (std::size_t at = 0; at < body.size(); at += step)
		parser.feed(body.data() + at, std::min(step, body.size() - at));
	if (finish) parser.finish();
	return parsed;
}

int statusOf(const std::function<void()>& call)
{
	try
	{
		call();
	}
	catch (Palaver::HttpError& e)
	{
		return e.status();
	}
	return 0;
}

} // namespace

class MultipartParserTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(MultipartParserTest);
	CPPUNIT_TEST(testEverySplit);
	CPPUNIT_TEST(testNoEnd);
	CPPUNIT_TEST(testMalformed);
	CPPUNIT_TEST(testBoundaryOf);
	CPPUNIT_TEST(testImageType);
	CPPUNIT_TEST(testRange);
	CPPUNIT_TEST(testDisplayName);
	CPPUNIT_TEST_SUITE_END();

public:
	void testEverySplit()
	{
		// Whatever the reads, the same parts and bytes: a delimiter may be cut anywhere.
		for (std::size_t step = 1; step <= BODY.size(); ++step)
		{
			const Parsed parsed = parse(BODY, step);
			CPPUNIT_ASSERT_EQUAL(std::size_t(2), parsed.parts.size());
			CPPUNIT_ASSERT_EQUAL(std::string("caption"), parsed.parts[0].name);
			CPPUNIT_ASSERT_EQUAL(std::string("hola"), parsed.data[0]);
			CPPUNIT_ASSERT_EQUAL(std::string("file"), parsed.parts[1].name);
			CPPUNIT_ASSERT_EQUAL(std::string("a b.png"), parsed.parts[1].fileName);
			CPPUNIT_ASSERT_EQUAL(std::string("image/png"), parsed.parts[1].contentType);
			CPPUNIT_ASSERT_EQUAL(std::string("\r\n--XyQ\r\n--Xy\r\n-"), parsed.data[1]);
		}
	}

	void testNoEnd()
	{
		const std::string open = BODY.substr(0, BODY.find("--XyZ--"));
		CPPUNIT_ASSERT_EQUAL(400, statusOf([&] { parse(open, 7); }));
		CPPUNIT_ASSERT_EQUAL(400, statusOf([&] { parse("", 1); }));
		CPPUNIT_ASSERT_EQUAL(400, statusOf([&] { parse("no boundary at all", 3); }));
	}

	void testMalformed()
	{
		// A boundary line followed by garbage, a head without a name, a head too large, too many parts.
		CPPUNIT_ASSERT_EQUAL(400, statusOf([&] { parse("--XyZgarbage\r\n", 4, false); }));
		CPPUNIT_ASSERT_EQUAL(400, statusOf([&] { parse("--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--", 4); }));
		CPPUNIT_ASSERT_EQUAL(400, statusOf([&] { parse("--XyZ\r\nX-Pad: " + std::string(10000, 'a'), 100, false); }));
		std::string many;
		for (int i = 0; i < 20; ++i) many += "--XyZ\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nx\r\n";
		CPPUNIT_ASSERT_EQUAL(400, statusOf([&] { parse(many + "--XyZ--", 64); }));
	}

	void testBoundaryOf()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("abc"), MultipartParser::boundaryOf("multipart/form-data; boundary=abc"));
		CPPUNIT_ASSERT_EQUAL(std::string("a b"), MultipartParser::boundaryOf("Multipart/Form-Data; boundary=\"a b\""));
		CPPUNIT_ASSERT_EQUAL(415, statusOf([] { MultipartParser::boundaryOf("application/json"); }));
		CPPUNIT_ASSERT_EQUAL(400, statusOf([] { MultipartParser::boundaryOf("multipart/form-data"); }));
		CPPUNIT_ASSERT_EQUAL(400, statusOf([] { MultipartParser::boundaryOf("multipart/form-data; boundary=" + std::string(71, 'b')); }));
	}

	void testImageType()
	{
		CPPUNIT_ASSERT(ImageType::sniff("\xFF\xD8\xFF\xE0", 4) == ImageType::Kind::Jpeg);
		CPPUNIT_ASSERT(ImageType::sniff("\x89PNG\r\n\x1A\n", 8) == ImageType::Kind::Png);
		CPPUNIT_ASSERT(ImageType::sniff("GIF89a", 6) == ImageType::Kind::Gif);
		CPPUNIT_ASSERT(ImageType::sniff("RIFF\0\0\0\0WEBPVP8 ", 16) == ImageType::Kind::WebP);
		CPPUNIT_ASSERT(ImageType::sniff("RIFF\0\0\0\0WAVEfmt ", 16) == ImageType::Kind::None);
		CPPUNIT_ASSERT(ImageType::sniff("\x89PN", 3) == ImageType::Kind::None);
		CPPUNIT_ASSERT_EQUAL(std::string("application/octet-stream"), ImageType::mimeType(ImageType::Kind::None));
	}

	void testRange()
	{
		FileAnswer::Range range = FileAnswer::parseRange("bytes=0-0", 10);
		CPPUNIT_ASSERT(range.partial && range.first == 0 && range.last == 0);
		range = FileAnswer::parseRange("bytes=5-100", 10);
		CPPUNIT_ASSERT(range.first == 5 && range.last == 9);
		range = FileAnswer::parseRange("bytes=-100", 10);
		CPPUNIT_ASSERT(range.first == 0 && range.last == 9);
		CPPUNIT_ASSERT(!FileAnswer::parseRange("", 10).partial);
		CPPUNIT_ASSERT(!FileAnswer::parseRange("bytes=9-3", 10).partial);
		CPPUNIT_ASSERT(!FileAnswer::parseRange("items=1-2", 10).partial);
		CPPUNIT_ASSERT(!FileAnswer::parseRange("bytes=1-2,4-5", 10).partial);
		CPPUNIT_ASSERT_EQUAL(416, statusOf([] { FileAnswer::parseRange("bytes=10-", 10); }));
		CPPUNIT_ASSERT_EQUAL(416, statusOf([] { FileAnswer::parseRange("bytes=-0", 10); }));
	}

	void testDisplayName()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("playa.jpg"), Uploads::displayName("C:\\fotos\\playa.jpg"));
		CPPUNIT_ASSERT_EQUAL(std::string("passwd"), Uploads::displayName("../../etc/passwd"));
		CPPUNIT_ASSERT_EQUAL(std::string("ab"), Uploads::displayName("a\r\nb"));
		CPPUNIT_ASSERT_EQUAL(std::string("file"), Uploads::displayName(""));
		CPPUNIT_ASSERT_EQUAL(std::string("file"), Uploads::displayName(".."));
		CPPUNIT_ASSERT_EQUAL(std::string("file"), Uploads::displayName("bad\xFF"));
		const std::string longName = Uploads::displayName(std::string(300, 'x') + ".png");
		CPPUNIT_ASSERT(longName.size() <= 255);
		const std::string accents = Uploads::displayName(std::string(254, 'x') + "\xC3\xA9\xC3\xA9");
		CPPUNIT_ASSERT(accents.size() <= 255);
		CPPUNIT_ASSERT_EQUAL(std::string(254, 'x'), accents);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(MultipartParserTest);
