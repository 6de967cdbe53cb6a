#include "ConfigLoader.h"
#include <Poco/AutoPtr.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/TemporaryFile.h>
#include <Poco/Util/LayeredConfiguration.h>
#include <cppunit/extensions/HelperMacros.h>

using Palaver::Server::ConfigException;
using Palaver::Server::ConfigLoader;

class ConfigLoaderTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ConfigLoaderTest);
	CPPUNIT_TEST(mergesMainFileAndPluginFiles);
	CPPUNIT_TEST(overridesWin);
	CPPUNIT_TEST(takesOverridesOutOfArguments);
	CPPUNIT_TEST(malformedFileNamesFileAndLine);
	CPPUNIT_TEST(duplicatePluginIsRefused);
	CPPUNIT_TEST(reloadSeesChanges);
	CPPUNIT_TEST(brokenReloadKeepsRunningConfiguration);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		_dir = Poco::TemporaryFile::tempName();
		Poco::File(_dir + "/plugins.d").createDirectories();
		write("palaver.ini", "[http]\nport = 8080\n\n[plugins]\nconfig_dir = ${application.configDir}plugins.d\n");
		write("plugins.d/20-b.ini", "; second\n[b]\nlibrary = palaver-b\ncolour = blue\n");
		write("plugins.d/10-a.ini", "[a]\nlibrary = /opt/a.so\nenabled = false\nsize = 3\n");
		write("plugins.d/README", "not an ini file: ignored\n");
		_config = new Poco::Util::LayeredConfiguration;
	}

	void tearDown() override
	{
		Poco::File(_dir).remove(true);
	}

	void mergesMainFileAndPluginFiles()
	{
		ConfigLoader loader(*_config, _dir + "/palaver.ini", {});
		loader.load();
		CPPUNIT_ASSERT_EQUAL(8080, _config->getInt("http.port"));
		CPPUNIT_ASSERT_EQUAL(std::string("blue"), _config->getString("b.colour"));
		CPPUNIT_ASSERT_EQUAL(false, _config->getBool("a.enabled"));
		const auto& plugins = loader.plugins();
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), plugins.size());
		CPPUNIT_ASSERT_EQUAL(std::string("a"), plugins[0].name);  // name order of the files
		CPPUNIT_ASSERT_EQUAL(std::string("/opt/a.so"), plugins[0].library);
		CPPUNIT_ASSERT_EQUAL(std::string("b"), plugins[1].name);
	}

	void overridesWin()
	{
		ConfigLoader loader(*_config, _dir + "/palaver.ini", {{"http.port", "9999"}, {"b.colour", "red"}, {"a.enabled", "true"}});
		loader.load();
		CPPUNIT_ASSERT_EQUAL(9999, _config->getInt("http.port"));
		CPPUNIT_ASSERT_EQUAL(std::string("red"), _config->getString("b.colour"));
		CPPUNIT_ASSERT_EQUAL(true, _config->getBool("a.enabled"));
	}

	void takesOverridesOutOfArguments()
	{
		std::vector<std::string> args = {"palaverd", "--config=x.ini", "--http.port=1234", "--check-config", "--ws.allowed=a=b"};
		auto overrides = ConfigLoader::takeOverrides(args);
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), overrides.size());
		CPPUNIT_ASSERT_EQUAL(std::string("1234"), overrides["http.port"]);
		CPPUNIT_ASSERT_EQUAL(std::string("a=b"), overrides["ws.allowed"]);
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), args.size());
		CPPUNIT_ASSERT_EQUAL(std::string("--config=x.ini"), args[1]);
	}

	void malformedFileNamesFileAndLine()
	{
		write("plugins.d/30-c.ini", "[c]\nlibrary = c\nthis line is broken\n");
		ConfigLoader loader(*_config, _dir + "/palaver.ini", {});
		try
		{
			loader.load();
			CPPUNIT_FAIL("a malformed file was accepted");
		}
		catch (ConfigException& e)
		{
			CPPUNIT_ASSERT(e.message().find("30-c.ini:3") != std::string::npos);
		}
	}

	void duplicatePluginIsRefused()
	{
		write("plugins.d/30-again.ini", "[a]\nlibrary = other\n");
		ConfigLoader loader(*_config, _dir + "/palaver.ini", {});
		CPPUNIT_ASSERT_THROW(loader.load(), ConfigException);
	}

	void reloadSeesChanges()
	{
		ConfigLoader loader(*_config, _dir + "/palaver.ini", {});
		loader.load();
		write("plugins.d/20-b.ini", "[b]\nlibrary = palaver-b\ncolour = green\n");
		loader.load();
		CPPUNIT_ASSERT_EQUAL(std::string("green"), _config->getString("b.colour"));
	}

	void brokenReloadKeepsRunningConfiguration()
	{
		ConfigLoader loader(*_config, _dir + "/palaver.ini", {});
		loader.load();
		write("plugins.d/20-b.ini", "[b]\nlibrary = palaver-b\ncolour\n");
		CPPUNIT_ASSERT_THROW(loader.load(), ConfigException);
		CPPUNIT_ASSERT_EQUAL(std::string("blue"), _config->getString("b.colour"));
		CPPUNIT_ASSERT_EQUAL(8080, _config->getInt("http.port"));
	}

private:
	void write(const std::string& name, const std::string& text)
	{
		Poco::FileOutputStream out(_dir + "/" + name);
		out << text;
	}

	std::string _dir;
	Poco::AutoPtr<Poco::Util::LayeredConfiguration> _config;
};

CPPUNIT_TEST_SUITE_REGISTRATION(ConfigLoaderTest);
