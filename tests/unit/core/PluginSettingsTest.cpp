#include "ConfigLoader.h"
#include "PluginSettings.h"
#include "palaver/Setting.h"
#include <Poco/AutoPtr.h>
#include <Poco/Util/LayeredConfiguration.h>
#include <Poco/Util/MapConfiguration.h>
#include <cppunit/extensions/HelperMacros.h>

using Palaver::PluginInfo;
using Palaver::Setting;
using Palaver::Server::ConfigException;
using Palaver::Server::PluginSettings;

class PluginSettingsTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(PluginSettingsTest);
	CPPUNIT_TEST(checksEachType);
	CPPUNIT_TEST(refusesABadValueWithOneLine);
	CPPUNIT_TEST(warnsOfUnknownKeysOnly);
	CPPUNIT_TEST(postAsIsServiceOrAny);
	CPPUNIT_TEST(givesDefaultsBelowTheFiles);
	CPPUNIT_TEST(describesValuesInForce);
	CPPUNIT_TEST(referenceIsATablePerPlugin);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		_config = new Poco::Util::LayeredConfiguration;
		_file = new Poco::Util::MapConfiguration;
		_config->add(_file, 0, true);
		_bot.name = "bot";
		_bot.settings = {
			Setting::integer("max_batch", 512, 1, 100000, "messages per transaction"),
			Setting::number("rate", 2.5, 0.5, 10, "answers per second"),
			Setting::boolean("loud", false, "answer in capitals"),
			Setting::oneOf("mode", "open", {"open", "closed"}, "who may ask"),
			Setting::string("greeting", "", "what it says first"),
		};
	}

	void checksEachType()
	{
		const auto& s = _bot.settings;
		CPPUNIT_ASSERT_EQUAL(std::string(""), s[0].check("100000"));
		CPPUNIT_ASSERT_EQUAL(std::string("must be an integer from 1 to 100000"), s[0].check("0"));
		CPPUNIT_ASSERT_EQUAL(std::string("must be an integer from 1 to 100000"), s[0].check("12abc"));
		CPPUNIT_ASSERT_EQUAL(std::string(""), s[1].check(" 0.5 "));
		CPPUNIT_ASSERT_EQUAL(std::string("must be a number from 0.5 to 10"), s[1].check("10.5"));
		CPPUNIT_ASSERT_EQUAL(std::string("must be a number from 0.5 to 10"), s[1].check("nan"));
		CPPUNIT_ASSERT_EQUAL(std::string(""), s[2].check("yes"));
		CPPUNIT_ASSERT_EQUAL(std::string("must be true or false"), s[2].check("maybe"));
		CPPUNIT_ASSERT_EQUAL(std::string(""), s[3].check("closed"));
		CPPUNIT_ASSERT_EQUAL(std::string("must be one of: open, closed"), s[3].check("ajar"));
		CPPUNIT_ASSERT_EQUAL(std::string(""), s[4].check("anything at all"));
		CPPUNIT_ASSERT_EQUAL(std::string("integer 1..100000"), s[0].describe());
		CPPUNIT_ASSERT_EQUAL(std::string("number 0.5..10"), s[1].describe());
		CPPUNIT_ASSERT_EQUAL(std::string("2.5"), s[1].defaultValue);
	}

	void refusesABadValueWithOneLine()
	{
		PluginSettings settings(*_config);
		_file->setString("bot.max_batch", "0");
		try
		{
			settings.apply({_bot});
			CPPUNIT_FAIL("a bad value must be refused");
		}
		catch (ConfigException& e)
		{
			CPPUNIT_ASSERT_EQUAL(std::string("[bot] max_batch = 0: must be an integer from 1 to 100000"), e.message());
		}
	}

	void postAsIsServiceOrAny()
	{
		PluginSettings settings(*_config);
		_file->setString("bot.post_as", "any");
		CPPUNIT_ASSERT(settings.apply({_bot}).empty());  // a core key: no unknown-key warning
		_file->setString("bot.post_as", "everyone");
		try
		{
			settings.apply({_bot});
			CPPUNIT_FAIL("post_as = everyone must be refused");
		}
		catch (ConfigException& e)
		{
			CPPUNIT_ASSERT_EQUAL(std::string("[bot] post_as = everyone: must be service or any"), e.message());
		}
	}

	void warnsOfUnknownKeysOnly()
	{
		PluginSettings settings(*_config);
		_file->setString("bot.library", "palaver-bot");
		_file->setString("bot.enabled", "true");
		_file->setString("bot.max_bach", "3");
		_file->setString("bot.loud", "on");
		const auto warnings = settings.apply({_bot});
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), warnings.size());
		CPPUNIT_ASSERT_EQUAL(std::string("[bot] max_bach: unknown key (plugin bot declares no such setting), ignored"), warnings[0]);

		// A plugin that declares nothing is not checked at all.
		PluginInfo silent;
		silent.name = "silent";
		_file->setString("silent.whatever", "1");
		CPPUNIT_ASSERT(settings.apply({silent}).empty());
	}

	void givesDefaultsBelowTheFiles()
	{
		{
			PluginSettings settings(*_config);
			_file->setString("bot.rate", "4");
			settings.apply({_bot});
			CPPUNIT_ASSERT_EQUAL(512, _config->getInt("bot.max_batch"));
			CPPUNIT_ASSERT_EQUAL(4.0, _config->getDouble("bot.rate"));
			CPPUNIT_ASSERT_EQUAL(std::string("open"), _config->getString("bot.mode"));
			// Applied again (SIGHUP) with a bad value: refused as at start.
			_file->setString("bot.max_batch", "100001");
			CPPUNIT_ASSERT_THROW(settings.apply({_bot}), ConfigException);
		}
		// Gone with the PluginSettings.
		CPPUNIT_ASSERT(!_config->has("bot.mode"));
	}

	void describesValuesInForce()
	{
		PluginSettings settings(*_config);
		_file->setString("bot.loud", "true");
		settings.apply({_bot});
		const std::string text = PluginSettings::describe(_bot, *_config);
		CPPUNIT_ASSERT(text.find("max_batch = 512  (integer 1..100000, default 512): messages per transaction\n") != std::string::npos);
		CPPUNIT_ASSERT(text.find("loud = true  (boolean, default false): answer in capitals\n") != std::string::npos);
		CPPUNIT_ASSERT(text.find("greeting =   (string, default empty): what it says first\n") != std::string::npos);
		PluginInfo silent;
		silent.name = "silent";
		CPPUNIT_ASSERT_EQUAL(std::string("plugin silent declares no settings\n"), PluginSettings::describe(silent, *_config));
	}

	void referenceIsATablePerPlugin()
	{
		PluginInfo alpha;
		alpha.name = "alpha";
		alpha.settings = {Setting::boolean("on", true, "switch")};
		const std::string text = PluginSettings::reference({_bot, alpha});
		CPPUNIT_ASSERT(text.find("### [alpha]") < text.find("### [bot]"));
		CPPUNIT_ASSERT(text.find("| `mode` | one of: open, closed | `open` | who may ask |\n") != std::string::npos);
		CPPUNIT_ASSERT(text.find("| `greeting` | string |  | what it says first |\n") != std::string::npos);
	}

private:
	Poco::AutoPtr<Poco::Util::LayeredConfiguration> _config;
	Poco::AutoPtr<Poco::Util::MapConfiguration> _file;
	PluginInfo _bot;
};

CPPUNIT_TEST_SUITE_REGISTRATION(PluginSettingsTest);
