// Unit tests of ImageSniffer: image types are told by their bytes only.
#include "ImageSniffer.h"
#include <cppunit/extensions/HelperMacros.h>
#include <string>

using Palaver::Auth::ImageSniffer;

namespace {

// The smallest valid PNG: 1x1, 8-bit grey.
const std::string PNG_1X1(
	"\x89PNG\r\n\x1a\n"
	"\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00\x3a\x7e\x9b\x55"
	"\x00\x00\x00\x0aIDATx\x9c\x63\x60\x00\x00\x00\x02\x00\x01\xe2\x21\xbc\x33"
	"\x00\x00\x00\x00IEND\xae\x42\x60\x82", 67);

const std::string JPEG_HEAD("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xFF\xD9", 22);

} // namespace

class ImageSnifferTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ImageSnifferTest);
	CPPUNIT_TEST(testPng);
	CPPUNIT_TEST(testJpeg);
	CPPUNIT_TEST(testTextIsNoImage);
	CPPUNIT_TEST(testTruncated);
	CPPUNIT_TEST(testOtherFormats);
	CPPUNIT_TEST(testNames);
	CPPUNIT_TEST_SUITE_END();

public:
	void testPng()
	{
		CPPUNIT_ASSERT(ImageSniffer::sniff(PNG_1X1) == ImageSniffer::Kind::Png);
	}

	void testJpeg()
	{
		CPPUNIT_ASSERT(ImageSniffer::sniff(JPEG_HEAD) == ImageSniffer::Kind::Jpeg);
		// An Exif JPEG starts with APP1.
		CPPUNIT_ASSERT(ImageSniffer::sniff(std::string("\xFF\xD8\xFF\xE1\x00\x10", 6)) == ImageSniffer::Kind::Jpeg);
	}

	void testTextIsNoImage()
	{
		CPPUNIT_ASSERT(ImageSniffer::sniff("") == ImageSniffer::Kind::None);
		CPPUNIT_ASSERT(ImageSniffer::sniff("this is not a picture, only text named .jpg") == ImageSniffer::Kind::None);
		CPPUNIT_ASSERT(ImageSniffer::sniff("<html><script>alert(1)</script></html>") == ImageSniffer::Kind::None);
		CPPUNIT_ASSERT(ImageSniffer::sniff("PNG IHDR") == ImageSniffer::Kind::None);
	}

	void testTruncated()
	{
		CPPUNIT_ASSERT(ImageSniffer::sniff(PNG_1X1.substr(0, 8)) == ImageSniffer::Kind::None);
		CPPUNIT_ASSERT(ImageSniffer::sniff(PNG_1X1.substr(0, 20)) == ImageSniffer::Kind::None);
		CPPUNIT_ASSERT(ImageSniffer::sniff(std::string("\xFF\xD8\xFF", 3)) == ImageSniffer::Kind::None);
		CPPUNIT_ASSERT(ImageSniffer::sniff(std::string("\xFF\xD8", 2)) == ImageSniffer::Kind::None);
		// SOI followed by a non-marker.
		CPPUNIT_ASSERT(ImageSniffer::sniff(std::string("\xFF\xD8\xFF\x00\x00\x00", 6)) == ImageSniffer::Kind::None);
		// A PNG signature whose first chunk is not IHDR.
		std::string wrongChunk = PNG_1X1;
		wrongChunk.replace(12, 4, "IDAT");
		CPPUNIT_ASSERT(ImageSniffer::sniff(wrongChunk) == ImageSniffer::Kind::None);
	}

	void testOtherFormats()
	{
		CPPUNIT_ASSERT(ImageSniffer::sniff("GIF89a\x01\x00\x01\x00\x00\x00\x00;") == ImageSniffer::Kind::None);
		CPPUNIT_ASSERT(ImageSniffer::sniff("<svg xmlns='http://www.w3.org/2000/svg'/>") == ImageSniffer::Kind::None);
		CPPUNIT_ASSERT(ImageSniffer::sniff("RIFF\x10\x00\x00\x00WEBPVP8 ") == ImageSniffer::Kind::None);
	}

	void testNames()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("jpg"), ImageSniffer::extension(ImageSniffer::Kind::Jpeg));
		CPPUNIT_ASSERT_EQUAL(std::string("png"), ImageSniffer::extension(ImageSniffer::Kind::Png));
		CPPUNIT_ASSERT_EQUAL(std::string(""), ImageSniffer::extension(ImageSniffer::Kind::None));
		CPPUNIT_ASSERT_EQUAL(std::string("image/jpeg"), ImageSniffer::contentType(ImageSniffer::Kind::Jpeg));
		CPPUNIT_ASSERT_EQUAL(std::string("image/png"), ImageSniffer::contentType(ImageSniffer::Kind::Png));
		CPPUNIT_ASSERT(ImageSniffer::fromExtension("png") == ImageSniffer::Kind::Png);
		CPPUNIT_ASSERT(ImageSniffer::fromExtension("jpg") == ImageSniffer::Kind::Jpeg);
		CPPUNIT_ASSERT(ImageSniffer::fromExtension("gif") == ImageSniffer::Kind::None);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(ImageSnifferTest);
