//
// MessageRoutes.h
//

#ifndef Palaver_Messages_MessageRoutes_INCLUDED
#define Palaver_Messages_MessageRoutes_INCLUDED

#include <Poco/Types.h>
#include <cstddef>
#include <memory>
#include <string>

namespace Palaver {

class Request;
class Response;
class Router;
class UserDirectory;

namespace Messages {

class MessageService;

/// The HTTP side: GET /messages/from/{toUserId}, POST /post/touser/{toUserId},
/// PATCH and DELETE /messages/{id}.
class MessageRoutes
{
public:
	/// Most messages one GET may ask for with ?limit=.
	static const std::size_t MAX_PAGE = 1000;

	MessageRoutes(MessageService& service, std::shared_ptr<UserDirectory> users);

	/// Adds the routes; maxBodySize bounds the POST and PATCH bodies.
	void registerWith(Router& router, std::size_t maxBodySize);

	void conversation(Request& request, Response& response);
	void post(Request& request, Response& response);
	void edit(Request& request, Response& response);
	void deleteForEveryone(Request& request, Response& response);

	/// The text field of a form (also "message[text]", as a Symfony form
	/// posts it); HttpError 400 when there is none.
	static std::string textField(const Request& request);

	/// A query parameter that must be a positive integer no larger than max:
	/// 0 when absent or empty, HttpError 400 (field name) otherwise.
	static Poco::Int64 positiveQuery(const Request& request, const std::string& name, Poco::Int64 max);

private:
	MessageService& _service;
	std::shared_ptr<UserDirectory> _users;
};

} } // namespace Palaver::Messages

#endif
