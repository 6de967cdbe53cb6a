#include "ContentTypes.h"
#include <Poco/String.h>
#include <map>

namespace Palaver {
namespace Web {

std::string ContentTypes::forPath(const std::string& path)
{
	static const std::map<std::string, std::string> types = {
		{"html", "text/html; charset=utf-8"},
		{"js", "text/javascript; charset=utf-8"},
		{"mjs", "text/javascript; charset=utf-8"},
		{"css", "text/css; charset=utf-8"},
		{"json", "application/json; charset=utf-8"},
		{"webmanifest", "application/manifest+json; charset=utf-8"},
		{"txt", "text/plain; charset=utf-8"},
		{"svg", "image/svg+xml"},
		{"png", "image/png"},
		{"jpg", "image/jpeg"},
		{"jpeg", "image/jpeg"},
		{"gif", "image/gif"},
		{"webp", "image/webp"},
		{"ico", "image/x-icon"},
		{"woff2", "font/woff2"},
		{"woff", "font/woff"},
		{"map", "application/json; charset=utf-8"},
	};
	const auto slash = path.rfind('/');
	const auto dot = path.rfind('.');
	if (dot == std::string::npos || (slash != std::string::npos && dot < slash))
		return "application/octet-stream";
	auto it = types.find(Poco::toLower(path.substr(dot + 1)));
	return it == types.end() ? "application/octet-stream" : it->second;
}

} } // namespace Palaver::Web
