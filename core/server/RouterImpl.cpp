#include "RouterImpl.h"
#include "palaver/PercentEncoding.h"
#include <Poco/Exception.h>
#include <algorithm>

namespace Palaver {
namespace Server {

namespace {

bool isParam(const std::string& segment)
{
	return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// How well a route fits, compared segment by segment: a literal beats a
// {param}, which beats a trailing "*".
std::vector<int> specificity(const RouterImpl::Route& route)
{
	std::vector<int> score;
	for (const auto& segment: route.segments)
		score.push_back(segment == "*" ? 0 : isParam(segment) ? 1 : 2);
	return score;
}

} // namespace

void RouterImpl::add(const std::string& method, const std::string& pattern, Handler handler, Options options)
{
	insert(method, pattern, std::move(handler), options, false);
}

void RouterImpl::addOnIoThread(const std::string& method, const std::string& pattern, Handler handler, Options options)
{
	insert(method, pattern, std::move(handler), options, true);
}

void RouterImpl::insert(const std::string& method, const std::string& pattern, Handler handler, Options options, bool onIoThread)
{
	if (onIoThread && options.streamBody)
		throw Poco::InvalidArgumentException("a route that streams its body cannot run on the I/O thread", method + " " + pattern);
	auto route = std::make_shared<Route>();
	route->method = method;
	route->pattern = pattern;
	route->segments = split(pattern);
	route->handler = std::move(handler);
	route->options = options;
	route->onIoThread = onIoThread;

	std::lock_guard<std::mutex> lock(_mutex);
	auto shape = [](const std::vector<std::string>& segments)
	{
		std::vector<std::string> normalised(segments);
		for (auto& segment: normalised) if (isParam(segment)) segment = "{}";
		return normalised;
	};
	for (const auto& existing: _routes)
	{
		if (existing->method == method && shape(existing->segments) == shape(route->segments))
			throw Poco::ExistsException("route already registered", method + " " + pattern);
	}
	_routes.push_back(route);
}

RouterImpl::Match RouterImpl::match(const std::string& method, const std::string& rawPath) const
{
	const std::vector<std::string> segments = split(rawPath);
	Match best;
	std::vector<int> bestScore;

	std::lock_guard<std::mutex> lock(_mutex);
	for (const auto& route: _routes)
	{
		std::map<std::string, std::string> params;
		const auto& pattern = route->segments;
		bool matches = true;
		std::size_t i = 0;
		for (; i < pattern.size() && matches; ++i)
		{
			if (pattern[i] == "*" && i + 1 == pattern.size())
			{
				std::string rest;
				for (std::size_t j = i; j < segments.size(); ++j)
					rest += (j > i ? "/" : "") + segments[j];
				params["*"] = PercentEncoding::decode(rest, "path");
				i = segments.size();
				break;
			}
			if (i >= segments.size())
				matches = false;
			else if (isParam(pattern[i]))
			{
				if (segments[i].empty()) { matches = false; break; }
				params[pattern[i].substr(1, pattern[i].size() - 2)] = PercentEncoding::decode(segments[i], "path");
			}
			else if (pattern[i] != segments[i])
				matches = false;
		}
		if (!matches || i != segments.size()) continue;

		if (route->method != method)
		{
			best.allowed.insert(route->method);
			continue;
		}
		auto score = specificity(*route);
		if (!best.route || score > bestScore)
		{
			best.route = route;
			best.params = std::move(params);
			bestScore = std::move(score);
		}
	}
	if (best.route) best.allowed.clear();
	return best;
}

void RouterImpl::remove(const std::string& method, const std::string& pattern)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_routes.erase(std::remove_if(_routes.begin(), _routes.end(), [&](const std::shared_ptr<const Route>& route)
	{
		return route->method == method && route->pattern == pattern;
	}), _routes.end());
}

std::vector<std::string> RouterImpl::split(const std::string& path)
{
	// "/a/b" -> ["a", "b"]; "/" -> []; "/a/" -> ["a", ""] (a trailing slash is a different path)
	std::vector<std::string> segments;
	if (path.empty() || path == "/") return segments;
	std::size_t start = path[0] == '/' ? 1 : 0;
	while (true)
	{
		const auto slash = path.find('/', start);
		segments.push_back(path.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
		if (slash == std::string::npos) break;
		start = slash + 1;
	}
	return segments;
}

} } // namespace Palaver::Server
