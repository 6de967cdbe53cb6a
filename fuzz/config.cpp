// Fuzzes configuration loading: ConfigLoader::checkSyntax
// (core/server/ConfigLoader.cpp) on a file, then, when it passes, POCO's
// IniFileConfiguration on the same bytes, as palaverd loads palaver.ini and
// plugins.d/*.ini; every key is then read back, expanded as palaverd does.
#include "ConfigLoader.h"
#include <Poco/AutoPtr.h>
#include <Poco/Exception.h>
#include <Poco/Util/IniFileConfiguration.h>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

namespace {

void visit(Poco::Util::AbstractConfiguration& config, const std::string& prefix, int depth)
{
	if (depth > 8) return;
	Poco::Util::AbstractConfiguration::Keys keys;
	config.keys(prefix, keys);
	for (const auto& key: keys)
	{
		const std::string full = prefix.empty() ? key : prefix + "." + key;
		if (config.hasProperty(full))
		{
			try
			{
				config.getString(full);  // expands ${...}: a cycle must throw, not recurse forever
			}
			catch (Poco::Exception&)
			{
			}
		}
		visit(config, full, depth + 1);
	}
}

// The file checkSyntax reads; removed when the fuzzer exits.
struct TempFile
{
	const std::string path = "/tmp/palaver-fuzz-config-" + std::to_string(::getpid()) + ".ini";
	~TempFile() { std::remove(path.c_str()); }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	static const TempFile temp;
	const std::string& path = temp.path;
	{
		std::ofstream file(path, std::ios::binary | std::ios::trunc);
		file.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
	}
	try
	{
		Palaver::Server::ConfigLoader::checkSyntax(path);
	}
	catch (Palaver::Server::ConfigException&)
	{
		return 0;
	}
	std::istringstream stream(std::string(reinterpret_cast<const char*>(data), size));
	Poco::AutoPtr<Poco::Util::IniFileConfiguration> config = new Poco::Util::IniFileConfiguration(stream);
	visit(*config, "", 0);
	return 0;
}
