#include "PluginScaffold.h"
#include "palaver/Version.h"
#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/Path.h>
#include <Poco/String.h>
#include <algorithm>

namespace Palaver {
namespace Ctl {

namespace {

const std::size_t MAX_NAME = 32;
const char* const SHIPPED[] = {"attachments", "auth", "contacts", "groups", "messages", "push", "web", "ws"};

const char* const CMAKE_LISTS = R"(# The @NAME@ plugin for palaverd, built against the installed SDK (palaver-dev):
#   cmake -S . -B build && cmake --build build && sudo cmake --install build
cmake_minimum_required(VERSION 3.25)
project(palaver-@NAME@ VERSION 0.1.0 LANGUAGES CXX)
set(CMAKE_CXX_STANDARD 17)
set(CMAKE_CXX_STANDARD_REQUIRED ON)

# The plugin API this plugin is written for: API @MAJOR@, minor @MINOR@ or newer.
find_package(Palaver @MAJOR@.@MINOR@ REQUIRED)

# palaver-@NAME@.so, installed into palaverd's plugin folder.
palaver_add_plugin(@NAME@ SOURCES @CLASS@Plugin.cpp)
)";

const char* const SOURCE = R"(// The @NAME@ plugin: a route, GET /@NAME@, and a declared setting, greeting.
// Made by palaverctl new-plugin; the author's guide is PLUGINS.md
// (/usr/share/doc/palaver-dev/PLUGINS.md).
#include <palaver/Plugin.h>
#include <palaver/PluginContext.h>
#include <palaver/Request.h>
#include <palaver/Response.h>
#include <palaver/Router.h>
#include <palaver/Setting.h>
#include <Poco/JSON/Object.h>
#include <Poco/Logger.h>
#include <Poco/Util/AbstractConfiguration.h>
#include <string>

namespace @CLASS@ {

class @CLASS@Plugin: public Palaver::Plugin
{
public:
	Palaver::PluginInfo info() const override
	{
		Palaver::PluginInfo info;
		info.name = "@NAME@";  // its section in the configuration: [@NAME@]
		info.version = "0.1.0";
		// palaverd checks these keys of [@NAME@] before initialize(), and
		// palaverctl plugins config @NAME@ prints them.
		info.settings = {Palaver::Setting::string("greeting", "Hello", "what GET /@NAME@ answers")};
		return info;
	}

	/// On palaverd's main thread (or the admin thread for palaverctl plugins
	/// enable|reload): registers the route; the setting has its default or
	/// the checked value of [@NAME@] greeting.
	void initialize(Palaver::PluginContext& context) override
	{
		_greeting = context.config().getString("greeting");
		_logger = &context.logger();
		// On a worker thread of the core's HTTP pool, any number at once:
		// reads only what initialize() set.
		context.router().add("GET", "/@NAME@", [this](Palaver::Request&, Palaver::Response& response)
		{
			Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
			body->set("plugin", "@NAME@");
			body->set("greeting", _greeting);
			response.sendJson(200, body);
		});
	}

	/// After every plugin's initialize(), on the same thread.
	void start() override
	{
		_logger->information("@NAME@ ready: GET /@NAME@");
	}

	/// palaverctl plugins disable|reload @NAME@ may unload it while palaverd
	/// runs: after stop(), none of its code runs (the core saw to that for
	/// its route), and it holds nothing else.
	bool reloadable() const override
	{
		return true;
	}

private:
	std::string _greeting;
	Poco::Logger* _logger = nullptr;
};

} // namespace @CLASS@

PALAVER_PLUGIN(@CLASS@::@CLASS@Plugin)
)";

const char* const INI = R"(; The @NAME@ plugin: copy into palaverd's plugins.d (/etc/palaver/plugins.d/).
[@NAME@]
library = palaver-@NAME@
enabled = true
; What GET /@NAME@ answers.
; greeting = Hello
)";

const char* const README = R"(# @NAME@

A plugin for palaverd, made by `palaverctl new-plugin @NAME@`: a route,
`GET /@NAME@`, and a declared setting, `greeting`. It is built against the
installed SDK (the `palaver-dev` package), plugin API @MAJOR@.@MINOR@.

    cmake -S . -B build
    cmake --build build
    sudo cmake --install build          # palaver-@NAME@.so into palaverd's plugin folder
    sudo cp @NAME@.ini /etc/palaver/plugins.d/70-@NAME@.ini
    sudo palaverctl plugins enable @NAME@   # loads it into the running palaverd
    curl http://127.0.0.1:8080/@NAME@

After a change: `cmake --build build && sudo cmake --install build && sudo
palaverctl plugins reload @NAME@` (no restart, no connection dropped).
`palaverctl plugins config @NAME@` prints its settings as they are in force.
The guide: /usr/share/doc/palaver-dev/PLUGINS.md; the examples beside it.
)";

std::string fill(std::string text, const std::string& name)
{
	Poco::replaceInPlace(text, std::string("@NAME@"), name);
	Poco::replaceInPlace(text, std::string("@CLASS@"), PluginScaffold::className(name));
	Poco::replaceInPlace(text, std::string("@MAJOR@"), std::to_string(PALAVER_API_MAJOR));
	Poco::replaceInPlace(text, std::string("@MINOR@"), std::to_string(PALAVER_API_MINOR));
	return text;
}

} // namespace

void PluginScaffold::checkName(const std::string& name)
{
	const auto allowed = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; };
	if (name.empty() || name.size() > MAX_NAME || name[0] < 'a' || name[0] > 'z' || !std::all_of(name.begin(), name.end(), allowed))
		throw Poco::InvalidArgumentException("'" + name + "' is not a plugin name: a lower-case letter, then lower-case letters, digits or _, at most "
			+ std::to_string(MAX_NAME) + " characters");
	if (std::find(std::begin(SHIPPED), std::end(SHIPPED), name) != std::end(SHIPPED))
		throw Poco::InvalidArgumentException("'" + name + "' is a shipped plugin's name");
}

std::string PluginScaffold::className(const std::string& name)
{
	std::string result;
	bool upper = true;
	for (char c: name)
	{
		if (c == '_')
		{
			upper = true;
			continue;
		}
		result += upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
		upper = false;
	}
	return result;
}

void PluginScaffold::write(const std::string& name, const std::string& parent, std::ostream& out)
{
	checkName(name);
	Poco::Path folder(parent);
	folder.makeDirectory();
	folder.pushDirectory(name);
	Poco::File directory(folder);
	if (directory.exists()) throw Poco::ExistsException(folder.toString() + " exists already: nothing written");
	directory.createDirectories();
	const std::pair<std::string, const char*> files[] = {
		{"CMakeLists.txt", CMAKE_LISTS}, {className(name) + "Plugin.cpp", SOURCE}, {name + ".ini", INI}, {"README.md", README}};
	for (const auto& file: files)
	{
		Poco::FileOutputStream stream(Poco::Path(folder, file.first).toString());
		stream << fill(file.second, name);
		stream.close();
		if (!stream.good()) throw Poco::FileException("cannot write " + Poco::Path(folder, file.first).toString());
		out << "wrote " << Poco::Path(folder, file.first).toString() << "\n";
	}
	out << "next: cd " << name << " && cmake -S . -B build && cmake --build build (README.md)\n";
}

} } // namespace Palaver::Ctl
