// Unit tests of AvatarStore: random names, strict name check, no escape.
#include "AvatarStore.h"
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/Path.h>
#include <Poco/TemporaryFile.h>
#include <cppunit/extensions/HelperMacros.h>
#include <string>

using Palaver::Auth::AvatarStore;
using Palaver::Auth::ImageSniffer;

class AvatarStoreTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(AvatarStoreTest);
	CPPUNIT_TEST(testSaveAndLoad);
	CPPUNIT_TEST(testValidNames);
	CPPUNIT_TEST(testNothingOutside);
	CPPUNIT_TEST(testRemove);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		_root = Poco::TemporaryFile::tempName() + "/";
		Poco::File(_root).createDirectories();
	}

	void tearDown() override
	{
		Poco::File(_root).remove(true);
	}

	void testSaveAndLoad()
	{
		AvatarStore store(_root + "img", 1024);
		const std::string data("\xFF\xD8\xFF\xE0 jpeg bytes \x00\x01", 19);
		const std::string name = store.save(data, ImageSniffer::Kind::Jpeg);
		CPPUNIT_ASSERT(AvatarStore::isValidName(name));
		CPPUNIT_ASSERT_EQUAL(std::string(".jpg"), name.substr(32));
		std::string loaded;
		std::string type;
		CPPUNIT_ASSERT(store.load(name, loaded, type));
		CPPUNIT_ASSERT(loaded == data);
		CPPUNIT_ASSERT_EQUAL(std::string("image/jpeg"), type);
		const std::string png = store.save("\x89PNG", ImageSniffer::Kind::Png);
		CPPUNIT_ASSERT(png != name);
		CPPUNIT_ASSERT(store.load(png, loaded, type));
		CPPUNIT_ASSERT_EQUAL(std::string("image/png"), type);
		// Nothing half-written is left beside them.
		CPPUNIT_ASSERT(!Poco::File(_root + "img/" + name + ".part").exists());
	}

	void testValidNames()
	{
		CPPUNIT_ASSERT(AvatarStore::isValidName("0123456789abcdef0123456789abcdef.jpg"));
		CPPUNIT_ASSERT(AvatarStore::isValidName("0123456789abcdef0123456789abcdef.png"));
		CPPUNIT_ASSERT(!AvatarStore::isValidName("0123456789ABCDEF0123456789abcdef.png"));
		CPPUNIT_ASSERT(!AvatarStore::isValidName("0123456789abcdef0123456789abcdef.gif"));
		CPPUNIT_ASSERT(!AvatarStore::isValidName("0123456789abcdef0123456789abcde.png"));
		CPPUNIT_ASSERT(!AvatarStore::isValidName("0123456789abcdef0123456789abcdef.png.part"));
		CPPUNIT_ASSERT(!AvatarStore::isValidName("../../etc/passwd"));
		CPPUNIT_ASSERT(!AvatarStore::isValidName("..%2F..%2Fetc%2Fpasswd"));
		CPPUNIT_ASSERT(!AvatarStore::isValidName("../palaver.db"));
		CPPUNIT_ASSERT(!AvatarStore::isValidName(""));
		CPPUNIT_ASSERT(!AvatarStore::isValidName("0123456789abcdef0123456789abcdef.jp\0g"));
	}

	void testNothingOutside()
	{
		AvatarStore store(_root + "img", 1024);
		{
			Poco::FileOutputStream secret(_root + "secret.txt");
			secret << "top secret";
		}
		std::string data;
		std::string type;
		CPPUNIT_ASSERT(!store.load("../secret.txt", data, type));
		CPPUNIT_ASSERT(!store.load("/etc/passwd", data, type));
		CPPUNIT_ASSERT(!store.load("0123456789abcdef0123456789abcdef.jpg", data, type));
		CPPUNIT_ASSERT(data.empty());
		// A file in the folder with another name is not served either.
		{
			Poco::FileOutputStream other(_root + "img/notes.jpg");
			other << "x";
		}
		CPPUNIT_ASSERT(!store.load("notes.jpg", data, type));
	}

	void testRemove()
	{
		AvatarStore store(_root + "img", 1024);
		const std::string name = store.save("\x89PNG", ImageSniffer::Kind::Png);
		store.remove(name);
		std::string data;
		std::string type;
		CPPUNIT_ASSERT(!store.load(name, data, type));
		store.remove("../secret.txt");  // ignored
	}

private:
	std::string _root;
};

CPPUNIT_TEST_SUITE_REGISTRATION(AvatarStoreTest);
