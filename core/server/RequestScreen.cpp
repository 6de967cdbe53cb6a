#include "RequestScreen.h"
#include "palaver/HttpError.h"
#include "palaver/OriginPolicy.h"
#include <Poco/Timestamp.h>
#include <algorithm>

namespace Palaver {
namespace Server {

namespace {

const Poco::Int64 LOG_INTERVAL = 60LL * 1000000;  // microseconds
const std::size_t MAX_LOGGED_PATH = 200;

} // namespace

RequestScreen::RequestScreen(const OriginPolicy& origins, Poco::Logger& logger):
	_origins(origins),
	_logger(logger)
{
}

void RequestScreen::admit(const Poco::Net::HTTPRequest& request) const
{
	if (!_origins.allowsHost(request.get("Host", "")))
		throw HttpError(421, "misdirected_request", "this server does not answer to that host name; see [http] allowed_hosts");
}

void RequestScreen::refused(const Poco::Net::HTTPRequest* request, const Poco::Net::SocketAddress& client, const HttpError& error)
{
	if (error.code() != "bad_request") return;
	const std::string address = client.host().toString();
	if (!firstThisMinute(address, Poco::Timestamp().epochMicroseconds())) return;
	// The path only: query strings can carry tokens.
	std::string what = "an unreadable request head";
	if (request)
	{
		const std::string& uri = request->getURI();
		what = request->getMethod() + " " + uri.substr(0, std::min(uri.find('?'), MAX_LOGGED_PATH));
	}
	_logger.warning("malformed request from %s (%s): %s; more from this address within a minute are not logged",
		address, what, error.message());
}

bool RequestScreen::firstThisMinute(const std::string& address, Poco::Int64 now)
{
	std::lock_guard<std::mutex> lock(_mutex);
	auto found = _lastLogged.find(address);
	if (found != _lastLogged.end())
	{
		if (now - found->second < LOG_INTERVAL) return false;
		found->second = now;
		return true;
	}
	if (_lastLogged.size() >= MAX_ADDRESSES)
	{
		for (auto it = _lastLogged.begin(); it != _lastLogged.end();)
			it = now - it->second >= LOG_INTERVAL ? _lastLogged.erase(it) : std::next(it);
		if (_lastLogged.size() >= MAX_ADDRESSES) return false;
	}
	_lastLogged.emplace(address, now);
	return true;
}

} } // namespace Palaver::Server
