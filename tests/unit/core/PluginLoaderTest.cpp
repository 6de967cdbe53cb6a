#include "PluginLoader.h"
#include "palaver/Version.h"
#include <Poco/AutoPtr.h>
#include <Poco/FileStream.h>
#include <Poco/TemporaryFile.h>
#include <Poco/Util/MapConfiguration.h>
#include <cppunit/extensions/HelperMacros.h>

using Palaver::Server::ConfigLoader;
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
		expectRefusal({entry("wrongapi")}, "plugin 'wrongapi'", "plugin API 99." + std::to_string(PALAVER_API_MINOR));
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
