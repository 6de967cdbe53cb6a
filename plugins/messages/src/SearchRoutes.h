//
// SearchRoutes.h
//

#ifndef Palaver_Messages_SearchRoutes_INCLUDED
#define Palaver_Messages_SearchRoutes_INCLUDED

#include <cstddef>
#include <memory>

namespace Palaver {

class Request;
class Response;
class Router;
class ServiceRegistry;
class UserDirectory;

namespace Messages {

class SearchIndex;

/// GET /search?q=...[&userId=N | &groupId=N][&limit=N&before=ID]
/// (PROTOCOL.md "Editing, deleting, searching"): the caller's own messages
/// matching every word of q, newest first. Called on HTTP workers.
class SearchRoutes
{
public:
	/// limit when none is given.
	static const std::size_t DEFAULT_PAGE = 20;

	/// Most results one request may ask for.
	static const std::size_t MAX_PAGE = 100;

	/// services: where the groups plugin's GroupDirectory is found, when loaded.
	SearchRoutes(SearchIndex& index, std::shared_ptr<UserDirectory> users, const ServiceRegistry& services);

	void registerWith(Router& router);

	void search(Request& request, Response& response);

private:
	SearchIndex& _index;
	std::shared_ptr<UserDirectory> _users;
	const ServiceRegistry& _services;
};

} } // namespace Palaver::Messages

#endif
