//
// HelloOnlyPlugins.h
//
// A plugins.d folder that enables the core's hello fixture plugin only (and
// the other fixtures named), for tests of the core itself. The test target must define FIXTURE_DIR (the
// fixtures' build folder).
//

#ifndef Palaver_Testing_HelloOnlyPlugins_INCLUDED
#define Palaver_Testing_HelloOnlyPlugins_INCLUDED

#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/TemporaryFile.h>
#include <string>
#include <vector>

namespace Palaver {
namespace Testing {

struct HelloOnlyPlugins
{
	/// fixtures: further fixture plugins of tests/fixtures to enable (e.g. "deferred").
	explicit HelloOnlyPlugins(const std::vector<std::string>& fixtures = {})
	{
		Poco::File(dir).createDirectories();
		for (const std::string& name: fixtures)
		{
			Poco::FileOutputStream out(dir + "/20-" + name + ".ini");
			out << "[" << name << "]\nlibrary = " FIXTURE_DIR "/palaver-" << name << ".so\nenabled = true\n";
		}
		Poco::FileOutputStream out(dir + "/10-hello.ini");
		out << "[hello]\nlibrary = " FIXTURE_DIR "/palaver-hello.so\nenabled = true\n";
	}
	~HelloOnlyPlugins() { Poco::File(dir).remove(true); }

	const std::string dir = Poco::TemporaryFile::tempName();  /// for TestServer::Options::pluginsConfigDir
};

} } // namespace Palaver::Testing

#endif
