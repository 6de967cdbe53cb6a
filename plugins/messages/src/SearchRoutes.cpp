#include "SearchRoutes.h"
#include "MessageRoutes.h"
#include "SearchIndex.h"
#include "SearchQuery.h"
#include "palaver/HttpError.h"
#include "palaver/Request.h"
#include "palaver/Response.h"
#include "palaver/Router.h"
#include "palaver/ServiceRegistry.h"
#include "palaver/services/GroupDirectory.h"
#include "palaver/services/UserDirectory.h"
#include <algorithm>
#include <limits>

namespace Palaver {
namespace Messages {

SearchRoutes::SearchRoutes(SearchIndex& index, std::shared_ptr<UserDirectory> users, const ServiceRegistry& services):
	_index(index),
	_users(std::move(users)),
	_services(services)
{
}

void SearchRoutes::registerWith(Router& router)
{
	router.add("GET", "/search", [this](Request& request, Response& response) { search(request, response); });
}

void SearchRoutes::search(Request& request, Response& response)
{
	const User caller = _users->authenticate(request);
	const SearchQuery query(request.query("q"));
	const Poco::Int64 any = std::numeric_limits<Poco::Int64>::max();
	Poco::Int64 limit = MessageRoutes::positiveQuery(request, "limit", MAX_PAGE);
	if (limit == 0) limit = DEFAULT_PAGE;
	const Poco::Int64 before = MessageRoutes::positiveQuery(request, "before", any);
	const Poco::Int64 withUser = MessageRoutes::positiveQuery(request, "userId", any);
	const Poco::Int64 groupId = MessageRoutes::positiveQuery(request, "groupId", any);
	if (withUser > 0 && groupId > 0)
		throw HttpError::validation("groupId", "give userId or groupId, not both");

	SearchIndex::Scope scope;
	scope.userId = caller.id;
	scope.direct = groupId == 0;
	scope.withUser = withUser;
	auto groups = _services.find<GroupDirectory>();
	if (withUser == 0 && groups)
	{
		scope.groups = groups->windowsOf(caller.id);
		if (groupId > 0)
		{
			auto window = std::find_if(scope.groups.begin(), scope.groups.end(),
				[groupId](const MessageStore::GroupWindow& w) { return w.groupId == groupId; });
			if (window == scope.groups.end()) throw HttpError::notFound("no such group");
			scope.groups = {*window};
		}
	}
	else if (groupId > 0)
	{
		throw HttpError::notFound("no such group");
	}
	response.http().set("Cache-Control", "no-store");
	response.sendJsonText(200, Message::arrayJsonText(_index.find(query, scope, before, static_cast<std::size_t>(limit))));
}

} } // namespace Palaver::Messages
