// palaverctl plugins list|enable|disable edits plugins.d the way a2enmod does;
// palaverctl new-plugin NAME writes a plugin's folder (built and loaded by the
// packaging test, against the packaged SDK).
#include "TestServer.h"
#include "palaver/Version.h"
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <Poco/TemporaryFile.h>
#include <cppunit/extensions/HelperMacros.h>

using namespace Palaver::Testing;

class PalaverctlTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(PalaverctlTest);
	CPPUNIT_TEST(listsPlugins);
	CPPUNIT_TEST(disableAndEnableRoundTrip);
	CPPUNIT_TEST(refusesUnknownPlugin);
	CPPUNIT_TEST(disabledPluginIsNotLoaded);
	CPPUNIT_TEST(newPluginWritesAFolderOnce);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		_dir = Poco::TemporaryFile::tempName();
		Poco::File(_dir + "/plugins.d").createDirectories();
		write("palaver.ini", "[plugins]\nconfig_dir = ${application.configDir}plugins.d\n");
		write("plugins.d/10-hello.ini", "; the fixture\n[hello]\nlibrary = " FIXTURE_DIR "/palaver-hello.so\nenabled = true\ngreeting = hi\n");
		write("plugins.d/20-other.ini", "[other]\nlibrary = palaver-other\n");
	}

	void tearDown() override
	{
		Poco::File(_dir).remove(true);
	}

	void listsPlugins()
	{
		std::string output;
		CPPUNIT_ASSERT_EQUAL(0, ctl({"plugins", "list"}, output));
		CPPUNIT_ASSERT(output.find("hello") != std::string::npos);
		CPPUNIT_ASSERT(output.find("other") != std::string::npos);
		CPPUNIT_ASSERT_EQUAL(std::string::npos, output.find("disabled"));
	}

	void disableAndEnableRoundTrip()
	{
		std::string output;
		CPPUNIT_ASSERT_EQUAL(0, ctl({"plugins", "disable", "hello"}, output));
		CPPUNIT_ASSERT(output.find("disabled") != std::string::npos);
		CPPUNIT_ASSERT(output.find("restart") != std::string::npos);
		std::string text = read("plugins.d/10-hello.ini");
		CPPUNIT_ASSERT(text.find("enabled = false") != std::string::npos);
		CPPUNIT_ASSERT(text.find("greeting = hi") != std::string::npos);
		CPPUNIT_ASSERT(text.find("; the fixture") != std::string::npos);

		CPPUNIT_ASSERT_EQUAL(0, ctl({"plugins", "disable", "hello"}, output));
		CPPUNIT_ASSERT(output.find("nothing changed") != std::string::npos);

		CPPUNIT_ASSERT_EQUAL(0, ctl({"plugins", "disable", "other"}, output));
		CPPUNIT_ASSERT(read("plugins.d/20-other.ini").find("enabled = false") != std::string::npos);

		CPPUNIT_ASSERT_EQUAL(0, ctl({"plugins", "enable", "hello"}, output));
		text = read("plugins.d/10-hello.ini");
		CPPUNIT_ASSERT(text.find("enabled = true") != std::string::npos);
		CPPUNIT_ASSERT_EQUAL(std::string::npos, text.find("enabled = false"));
	}

	void refusesUnknownPlugin()
	{
		std::string output;
		CPPUNIT_ASSERT_EQUAL(1, ctl({"plugins", "enable", "nosuch"}, output));
		CPPUNIT_ASSERT(output.find("unknown plugin 'nosuch'") != std::string::npos);
		CPPUNIT_ASSERT(output.find("hello, other") != std::string::npos);
		CPPUNIT_ASSERT_EQUAL(2, ctl({"plugins", "frobnicate"}, output));
	}

	void disabledPluginIsNotLoaded()
	{
		std::string output;
		ctl({"plugins", "disable", "other"}, output);
		ctl({"plugins", "disable", "hello"}, output);
		TestServer::Options options;
		options.pluginsConfigDir = _dir + "/plugins.d";
		TestServer server(options);
		CPPUNIT_ASSERT_EQUAL(0, server.runOnce({"--check-config"}, output));
		CPPUNIT_ASSERT(output.find("plugins: none") != std::string::npos);
		ctl({"plugins", "enable", "hello"}, output);
		CPPUNIT_ASSERT_EQUAL(0, server.runOnce({"--check-config"}, output));
		CPPUNIT_ASSERT(output.find("hello 1.2.3") != std::string::npos);
	}

	void newPluginWritesAFolderOnce()
	{
		std::string output;
		CPPUNIT_ASSERT_EQUAL_MESSAGE(output, 0, ctl({"new-plugin", "echo_bot"}, output));
		for (const char* file: {"CMakeLists.txt", "EchoBotPlugin.cpp", "echo_bot.ini", "README.md"})
			CPPUNIT_ASSERT_MESSAGE(file, Poco::File(_dir + "/echo_bot/" + file).exists());
		const std::string api = std::to_string(PALAVER_API_MAJOR) + "." + std::to_string(PALAVER_API_MINOR);
		CPPUNIT_ASSERT(read("echo_bot/CMakeLists.txt").find("find_package(Palaver " + api + " REQUIRED)") != std::string::npos);
		CPPUNIT_ASSERT(read("echo_bot/CMakeLists.txt").find("palaver_add_plugin(echo_bot SOURCES EchoBotPlugin.cpp)") != std::string::npos);
		const std::string source = read("echo_bot/EchoBotPlugin.cpp");
		CPPUNIT_ASSERT(source.find("PALAVER_PLUGIN(EchoBot::EchoBotPlugin)") != std::string::npos);
		CPPUNIT_ASSERT(source.find("\"GET\", \"/echo_bot\"") != std::string::npos);
		CPPUNIT_ASSERT(source.find("Setting::string(\"greeting\"") != std::string::npos);
		CPPUNIT_ASSERT(read("echo_bot/echo_bot.ini").find("[echo_bot]\nlibrary = palaver-echo_bot\n") != std::string::npos);

		// Nothing is overwritten; bad and shipped names are refused with one line.
		write("echo_bot/EchoBotPlugin.cpp", "// mine");
		CPPUNIT_ASSERT_EQUAL(1, ctl({"new-plugin", "echo_bot"}, output));
		CPPUNIT_ASSERT_MESSAGE(output, output.find("exists already: nothing written") != std::string::npos);
		CPPUNIT_ASSERT_EQUAL(std::string("// mine"), read("echo_bot/EchoBotPlugin.cpp"));
		for (const char* bad: {"Echo", "9lives", "echo-bot", "../up", ""})
		{
			CPPUNIT_ASSERT_EQUAL_MESSAGE(bad, 1, ctl({"new-plugin", bad}, output));
			CPPUNIT_ASSERT_MESSAGE(output, output.find("is not a plugin name") != std::string::npos);
		}
		CPPUNIT_ASSERT_EQUAL(1, ctl({"new-plugin", std::string(33, 'a')}, output));
		CPPUNIT_ASSERT_EQUAL(1, ctl({"new-plugin", "messages"}, output));
		CPPUNIT_ASSERT_MESSAGE(output, output.find("is a shipped plugin's name") != std::string::npos);
		CPPUNIT_ASSERT_EQUAL(2, ctl({"new-plugin"}, output));
		CPPUNIT_ASSERT(!Poco::File(_dir + "/up").exists());
	}

private:
	int ctl(std::vector<std::string> args, std::string& output)
	{
		args.insert(args.begin(), "--config=" + _dir + "/palaver.ini");
		Poco::Pipe pipe;
		Poco::ProcessHandle handle = Poco::Process::launch(TestServer::binaryDir() + "/bin/palaverctl", args, _dir, nullptr, &pipe, &pipe);
		Poco::PipeInputStream stream(pipe);
		output.clear();
		Poco::StreamCopier::copyToString(stream, output);
		return handle.wait();
	}

	void write(const std::string& name, const std::string& text)
	{
		Poco::FileOutputStream out(_dir + "/" + name);
		out << text;
	}

	std::string read(const std::string& name)
	{
		Poco::FileInputStream in(_dir + "/" + name);
		std::string text;
		Poco::StreamCopier::copyToString(in, text);
		return text;
	}

	std::string _dir;
};

CPPUNIT_TEST_SUITE_REGISTRATION(PalaverctlTest);
