// palaverctl plugins list|enable|disable edits plugins.d the way a2enmod does.
#include "TestServer.h"
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

private:
	int ctl(std::vector<std::string> args, std::string& output)
	{
		args.insert(args.begin(), "--config=" + _dir + "/palaver.ini");
		Poco::Pipe pipe;
		Poco::ProcessHandle handle = Poco::Process::launch(TestServer::binaryDir() + "/bin/palaverctl", args, nullptr, &pipe, &pipe);
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
