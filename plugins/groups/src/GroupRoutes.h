//
// GroupRoutes.h
//

#ifndef Palaver_Groups_GroupRoutes_INCLUDED
#define Palaver_Groups_GroupRoutes_INCLUDED

#include "palaver/services/UserDirectory.h"
#include <cstddef>
#include <memory>

namespace Palaver {

class Request;
class Response;
class Router;

namespace Groups {

class GroupService;

/// The HTTP routes of PROTOCOL.md "Groups", and POST /read/group/{id}. They
/// parse and answer; GroupService decides.
class GroupRoutes
{
public:
	GroupRoutes(GroupService& service, std::shared_ptr<UserDirectory> users);

	/// maxBodySize: of POST /post/togroup (a message's text).
	void registerWith(Router& router, std::size_t maxBodySize);

	/// Most messages of one GET /messages/group page (?limit=).
	static constexpr Poco::Int64 MAX_PAGE = 1000;

private:
	void create(Request& request, Response& response);
	void list(Request& request, Response& response);
	void show(Request& request, Response& response);
	void rename(Request& request, Response& response);
	void addMembers(Request& request, Response& response);
	void setRole(Request& request, Response& response);
	void removeMember(Request& request, Response& response);
	void history(Request& request, Response& response);
	void post(Request& request, Response& response);
	void read(Request& request, Response& response);

	GroupService& _service;
	std::shared_ptr<UserDirectory> _users;
};

} } // namespace Palaver::Groups

#endif
