//
// RouterImpl.h
//

#ifndef Palaver_Server_RouterImpl_INCLUDED
#define Palaver_Server_RouterImpl_INCLUDED

#include "palaver/Router.h"
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace Palaver {
namespace Server {

/// The route table: method + path pattern -> handler.
class RouterImpl: public Router
{
public:
	struct Route
	{
		std::string method;
		std::string pattern;
		std::vector<std::string> segments;
		Handler handler;
		Options options;
		bool onIoThread = false;                   /// added with addOnIoThread()
	};

	struct Match
	{
		std::shared_ptr<const Route> route;        /// the route, or null; kept alive while the request is served, even if removed meanwhile
		std::map<std::string, std::string> params; /// decoded {param} values
		std::set<std::string> allowed;             /// methods of the path when the method did not match
	};

	using Router::add;
	void add(const std::string& method, const std::string& pattern, Handler handler, Options options) override;
	void addOnIoThread(const std::string& method, const std::string& pattern, Handler handler, Options options) override;

	/// Finds the route for a request. rawPath is the path as sent (still
	/// percent-encoded): it is split on "/" before decoding, so an encoded
	/// slash stays inside its segment.
	Match match(const std::string& method, const std::string& rawPath) const;

	/// Removes the route added with exactly method and pattern (a plugin
	/// that stops); requests that matched it before are still served by it.
	void remove(const std::string& method, const std::string& pattern);

private:
	void insert(const std::string& method, const std::string& pattern, Handler handler, Options options, bool onIoThread);
	static std::vector<std::string> split(const std::string& path);

	mutable std::mutex _mutex;
	std::vector<std::shared_ptr<const Route>> _routes;
};

} } // namespace Palaver::Server

#endif
