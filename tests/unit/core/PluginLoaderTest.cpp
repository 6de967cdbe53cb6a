#include "PluginAbiReader.h"
#include "PluginLoader.h"
#include "palaver/Version.h"
#include <Poco/Environment.h>
#include <Poco/File.h>
#include <Poco/AutoPtr.h>
#include <Poco/FileStream.h>
#include <Poco/TemporaryFile.h>
#include <Poco/Util/MapConfiguration.h>
#include <cppunit/extensions/HelperMacros.h>

using Palaver::Server::ConfigLoader;
using Palaver::Server::PluginAbiReader;
using Palaver::Server::PluginException;
using Palaver::Server::PluginLoader;

class PluginLoaderTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(PluginLoaderTest);
	CPPUNIT_TEST(loadsAPlugin);
	CPPUNIT_TEST(skipsDisabledPlugins);
	CPPUNIT_TEST(refusesMissingLibrary);
	CPPUNIT_TEST(refusesLibraryThatDoesNotLoad);
	CPPUNIT_TEST(refusesOtherApiVersion);
	CPPUNIT_TEST(refusesOtherPocoRelease);
	CPPUNIT_TEST(refusesOtherCxxLibrary);
	CPPUNIT_TEST(refusesPluginWithoutAbiRecord);
	CPPUNIT_TEST(readsTheRecordFromTheFile);
	CPPUNIT_TEST(refusesMissingDependency);
	CPPUNIT_TEST(refusesDependencyCycle);
	CPPUNIT_TEST(refusesNameMismatch);
	CPPUNIT_TEST(ordersByDependencies);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		_config = new Poco::Util::MapConfiguration;
		_config->setString("plugins.directory", FIXTURE_DIR);
	}

	void loadsAPlugin()
	{
		PluginLoader loader;
		loader.load({entry("hello")}, *_config);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), loader.plugins().size());
		CPPUNIT_ASSERT_EQUAL(std::string("1.2.3"), loader.plugins()[0].info.version);
	}

	void skipsDisabledPlugins()
	{
		_config->setString("hello.enabled", "false");
		PluginLoader loader;
		loader.load({entry("hello")}, *_config);
		CPPUNIT_ASSERT(loader.plugins().empty());
	}

	void refusesMissingLibrary()
	{
		expectRefusal({{"ghost", "palaver-ghost", "x.ini"}}, "plugin 'ghost'", "not found");
	}

	void refusesLibraryThatDoesNotLoad()
	{
		const std::string path = Poco::TemporaryFile::tempName() + ".so";
		Poco::TemporaryFile::registerForDeletion(path);
		{
			Poco::FileOutputStream out(path);
			out << "this is not an ELF file";
		}
		expectRefusal({{"broken", path, "x.ini"}}, "plugin 'broken'", "does not load");
	}

	void refusesOtherApiVersion()
	{
		expectRefusalUnloaded("wrongapi", "built for plugin API 99." + std::to_string(PALAVER_API_MINOR));
	}

	void refusesOtherPocoRelease()
	{
		expectRefusalUnloaded("otherpoco", "built against POCO 1.12.4, this palaverd runs POCO "
			+ PluginAbiReader::pocoVersionText(Poco::Environment::libraryVersion()));
	}

	void refusesOtherCxxLibrary()
	{
		expectRefusal({entry("othercxx")}, "plugin 'othercxx'", "built with the C++ library 'libstdc++ gcc4'");
	}

	void refusesPluginWithoutAbiRecord()
	{
		expectRefusalUnloaded("noabi", "has no Palaver ABI record");
	}

	void readsTheRecordFromTheFile()
	{
		PalaverPluginAbi record;
		CPPUNIT_ASSERT(PluginAbiReader::read(PluginLoader::resolve("palaver-hello", *_config), record) == PluginAbiReader::Outcome::Found);
		CPPUNIT_ASSERT_EQUAL(std::string(PALAVER_PLUGIN_MAGIC), std::string(record.magic));
		CPPUNIT_ASSERT_EQUAL(unsigned(PALAVER_API_MAJOR), record.apiMajor);
		CPPUNIT_ASSERT_EQUAL(unsigned(PALAVER_API_MINOR), record.apiMinor);
		CPPUNIT_ASSERT_EQUAL(unsigned(POCO_VERSION), record.pocoVersion);
		CPPUNIT_ASSERT_EQUAL(std::string(PALAVER_CXX_LIBRARY), std::string(record.cxxLibrary));
		CPPUNIT_ASSERT_EQUAL(std::string("1.11.0"), PluginAbiReader::pocoVersionText(0x010B0000));
		CPPUNIT_ASSERT_EQUAL(std::string("1.12.4p2"), PluginAbiReader::pocoVersionText(0x010C0402));

		// The fixture's mark shows that loading runs its code: the refusals
		// above leave no mark, so they happened before loading.
		const std::string mark = markPath();
		PluginLoader loader;
		loader.load({entry("marksloading")}, *_config);
		CPPUNIT_ASSERT(Poco::File(mark).exists());
	}

	void refusesMissingDependency()
	{
		expectRefusal({entry("needsmissing")}, "plugin 'needsmissing'", "needs plugin 'nonexistent'");
	}

	void refusesDependencyCycle()
	{
		expectRefusal({entry("cyclea"), entry("cycleb")}, "dependency cycle", "cyclea -> cycleb -> cyclea");
	}

	void refusesNameMismatch()
	{
		expectRefusal({{"other", "palaver-hello", "x.ini"}}, "plugin 'other'", "calls itself 'hello'");
	}

	void ordersByDependencies()
	{
		// "usesnothing" uses an absent plugin (soft): loads fine. A plugin that
		// needs another comes after it whatever the configuration order.
		PluginLoader loader;
		loader.load({entry("usesnothing"), entry("hello")}, *_config);
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), loader.plugins().size());
	}

private:
	static ConfigLoader::PluginEntry entry(const std::string& name)
	{
		return {name, "palaver-" + name, "test.ini"};
	}

	// A refusal read from the file: the plugin's code never ran.
	void expectRefusalUnloaded(const std::string& name, const std::string& why)
	{
		const std::string mark = markPath();
		expectRefusal({entry(name)}, "plugin '" + name + "'", why);
		CPPUNIT_ASSERT_MESSAGE(name + " was loaded before it was refused", !Poco::File(mark).exists());
	}

	// A fresh path in PALAVER_FIXTURE_MARK, where fixtures built with
	// FIXTURE_MARKS_LOADING write when their code runs.
	static std::string markPath()
	{
		const std::string path = Poco::TemporaryFile::tempName();
		Poco::TemporaryFile::registerForDeletion(path);
		Poco::Environment::set("PALAVER_FIXTURE_MARK", path);
		return path;
	}

	void expectRefusal(const std::vector<ConfigLoader::PluginEntry>& entries, const std::string& first, const std::string& second)
	{
		PluginLoader loader;
		try
		{
			loader.load(entries, *_config);
			CPPUNIT_FAIL("loaded what should be refused");
		}
		catch (PluginException& e)
		{
			CPPUNIT_ASSERT_MESSAGE(e.message(), e.message().find(first) != std::string::npos);
			CPPUNIT_ASSERT_MESSAGE(e.message(), e.message().find(second) != std::string::npos);
			CPPUNIT_ASSERT_MESSAGE(e.message(), e.message().find('\n') == std::string::npos);
		}
	}

	Poco::AutoPtr<Poco::Util::MapConfiguration> _config;
};

CPPUNIT_TEST_SUITE_REGISTRATION(PluginLoaderTest);
