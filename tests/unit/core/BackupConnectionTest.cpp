// Backup::withoutPassword: the PostgreSQL password is taken out of the
// connection string that pg_dump gets on its command line.
#include "Backup.h"
#include <cppunit/extensions/HelperMacros.h>

using Palaver::Server::Backup;

class BackupConnectionTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(BackupConnectionTest);
	CPPUNIT_TEST(keywordForm);
	CPPUNIT_TEST(quotedPassword);
	CPPUNIT_TEST(withoutAPassword);
	CPPUNIT_TEST(uriForm);
	CPPUNIT_TEST_SUITE_END();

public:
	void keywordForm()
	{
		std::string password;
		CPPUNIT_ASSERT_EQUAL(std::string("host=127.0.0.1 port=5432 dbname=palaver user=palaver connect_timeout=5"),
			Backup::withoutPassword("host=127.0.0.1 port=5432 dbname=palaver user=palaver password=SECRET connect_timeout=5", password));
		CPPUNIT_ASSERT_EQUAL(std::string("SECRET"), password);
	}

	void quotedPassword()
	{
		std::string password;
		CPPUNIT_ASSERT_EQUAL(std::string("host=db dbname='my db'"),
			Backup::withoutPassword("host=db password = 'it\\'s a \\\\ secret' dbname='my db'", password));
		CPPUNIT_ASSERT_EQUAL(std::string("it's a \\ secret"), password);
	}

	void withoutAPassword()
	{
		std::string password = "left over";
		CPPUNIT_ASSERT_EQUAL(std::string("host=127.0.0.1 port=1 user=postgres"),
			Backup::withoutPassword("host=127.0.0.1 port=1 user=postgres", password));
		CPPUNIT_ASSERT(password.empty());
	}

	void uriForm()
	{
		std::string password;
		CPPUNIT_ASSERT_EQUAL(std::string("postgresql://palaver@db.example:5432/palaver?sslmode=require"),
			Backup::withoutPassword("postgresql://palaver:S3cr%40t@db.example:5432/palaver?sslmode=require", password));
		CPPUNIT_ASSERT_EQUAL(std::string("S3cr@t"), password);
		CPPUNIT_ASSERT_EQUAL(std::string("postgres://db/palaver"), Backup::withoutPassword("postgres://db/palaver", password));
		CPPUNIT_ASSERT(password.empty());
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(BackupConnectionTest);
