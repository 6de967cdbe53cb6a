//
// Router.h
//

#ifndef Palaver_Router_INCLUDED
#define Palaver_Router_INCLUDED

#include <cstddef>
#include <functional>
#include <string>

namespace Palaver {

class Request;
class Response;

/// Maps method + path pattern to handlers. Patterns are literal segments and
/// {name} segments matching one non-empty segment: "/messages/from/{toUserId}".
/// A literal segment wins over a {param} at the same place. A trailing "*"
/// segment ("/assets/*") matches any rest of the path, available as param "*".
///
/// Handlers run on the HTTP server's pool threads, several at once. They answer
/// through Response or by throwing HttpError; any other exception becomes a 500
/// whose details go to the log only.
class Router
{
public:
	using Handler = std::function<void(Request&, Response&)>;

	struct Options
	{
		/// Largest accepted body; 0 means the server's [http] max_body_size.
		std::size_t maxBodySize = 0;
	};

	virtual ~Router() = default;

	/// Adds a route. Throws Poco::ExistsException if method + pattern is taken.
	virtual void add(const std::string& method, const std::string& pattern, Handler handler, Options options) = 0;

	void add(const std::string& method, const std::string& pattern, Handler handler)
	{
		add(method, pattern, std::move(handler), Options());
	}
};

} // namespace Palaver

#endif
