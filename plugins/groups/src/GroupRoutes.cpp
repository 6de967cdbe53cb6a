#include "GroupRoutes.h"
#include "GroupService.h"
#include "palaver/DeferredResponse.h"
#include "palaver/HttpError.h"
#include "palaver/JsonParser.h"
#include "palaver/MessageArrayStream.h"
#include "palaver/Request.h"
#include "palaver/Response.h"
#include "palaver/Router.h"
#include <Poco/JSON/Array.h>
#include <Poco/NumberParser.h>
#include <Poco/StringTokenizer.h>
#include <limits>

namespace Palaver {
namespace Groups {

namespace {

// The fields of a group's body: "name" and a list of user ids. Form refuses
// JSON arrays, so a JSON body is read here; a form body gives the list as
// "2,3".
struct GroupFields
{
	std::string name;
	bool hasName = false;
	std::vector<Poco::Int64> ids;
};

// Most ids one list may hold, whatever the limits: a bound on the work of a request.
const std::size_t MAX_IDS = 10000;

Poco::Int64 parseId(const std::string& text, const std::string& field)
{
	Poco::Int64 id = 0;
	if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos
		|| !Poco::NumberParser::tryParse64(text, id) || id < 1)
		throw HttpError::validation(field, field + " must hold user ids");
	return id;
}

GroupFields readFields(const Request& request, const std::string& idsField)
{
	GroupFields fields;
	if (request.http().getContentType().find("json") == std::string::npos)
	{
		const Form& form = request.form();
		fields.hasName = form.has("name");
		fields.name = form.get("name");
		Poco::StringTokenizer ids(form.get(idsField), ",", Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
		if (ids.count() > MAX_IDS) throw HttpError::validation(idsField, idsField + " names too many users");
		for (const std::string& id: ids) fields.ids.push_back(parseId(id, idsField));
		return fields;
	}
	JsonValue body;
	try
	{
		body = JsonParser().parseObject(request.body());
	}
	catch (Poco::SyntaxException& e)
	{
		throw HttpError::badRequest("the body must be a JSON object: " + e.message());
	}
	if (const JsonValue* name = body.find("name"))
	{
		if (!name->isString()) throw HttpError::validation("name", "name must be a string");
		fields.name = name->string();
		fields.hasName = true;
	}
	if (const JsonValue* ids = body.find(idsField))
	{
		if (!ids->isArray()) throw HttpError::validation(idsField, idsField + " must be an array of user ids");
		if (ids->elements().size() > MAX_IDS) throw HttpError::validation(idsField, idsField + " names too many users");
		for (const JsonValue& id: ids->elements())
		{
			if (id.isInteger() && id.integer() > 0) fields.ids.push_back(id.integer());
			else if (id.isString()) fields.ids.push_back(parseId(id.string(), idsField));
			else throw HttpError::validation(idsField, idsField + " must hold user ids");
		}
	}
	return fields;
}

// An optional positive query parameter of at most max; 0 when absent.
Poco::Int64 positiveQuery(const Request& request, const std::string& name, Poco::Int64 max)
{
	const std::string value = request.query(name);
	if (value.empty()) return 0;
	Poco::Int64 number = 0;
	if (value.size() > 18 || value.find_first_not_of("0123456789") != std::string::npos
		|| !Poco::NumberParser::tryParse64(value, number) || number < 1 || number > max)
		throw HttpError::validation(name, name + " must be a whole number from 1 to " + std::to_string(max));
	return number;
}

void sendGroup(Response& response, int status, const Group& group)
{
	response.http().set("Cache-Control", "no-store");
	response.sendJson(status, group.toJson());
}

} // namespace

GroupRoutes::GroupRoutes(GroupService& service, std::shared_ptr<UserDirectory> users):
	_service(service),
	_users(std::move(users))
{
}

void GroupRoutes::registerWith(Router& router, std::size_t maxBodySize)
{
	router.add("POST", "/groups", [this](Request& request, Response& response) { create(request, response); });
	router.add("GET", "/groups", [this](Request& request, Response& response) { list(request, response); });
	router.add("GET", "/groups/{id}", [this](Request& request, Response& response) { show(request, response); });
	router.add("PATCH", "/groups/{id}", [this](Request& request, Response& response) { rename(request, response); });
	router.add("POST", "/groups/{id}/members", [this](Request& request, Response& response) { addMembers(request, response); });
	router.add("PUT", "/groups/{id}/members/{userId}", [this](Request& request, Response& response) { setRole(request, response); });
	router.add("DELETE", "/groups/{id}/members/{userId}", [this](Request& request, Response& response) { removeMember(request, response); });
	router.add("GET", "/messages/group/{id}", [this](Request& request, Response& response) { history(request, response); });
	Router::Options options;
	options.maxBodySize = maxBodySize;
	router.add("POST", "/post/togroup/{id}", [this](Request& request, Response& response) { post(request, response); }, options);
	router.add("POST", "/read/group/{id}", [this](Request& request, Response& response) { read(request, response); });
}

void GroupRoutes::create(Request& request, Response& response)
{
	const User caller = _users->authenticate(request);
	const GroupFields fields = readFields(request, "memberIds");
	if (!fields.hasName) throw HttpError::validation("name", "name is required");
	sendGroup(response, 201, _service.create(caller, fields.name, fields.ids));
}

void GroupRoutes::list(Request& request, Response& response)
{
	const User caller = _users->authenticate(request);
	Poco::JSON::Array::Ptr groups = new Poco::JSON::Array;
	for (const Group& group: _service.groupsOf(caller.id)) groups->add(group.toJson());
	response.http().set("Cache-Control", "no-store");
	response.sendJson(200, groups);
}

void GroupRoutes::show(Request& request, Response& response)
{
	const User caller = _users->authenticate(request);
	sendGroup(response, 200, _service.memberOf(caller.id, request.idParam("id")));
}

void GroupRoutes::rename(Request& request, Response& response)
{
	const User caller = _users->authenticate(request);
	const GroupFields fields = readFields(request, "userIds");
	if (!fields.hasName) throw HttpError::validation("name", "name is required");
	sendGroup(response, 200, _service.rename(caller.id, request.idParam("id"), fields.name));
}

void GroupRoutes::addMembers(Request& request, Response& response)
{
	const User caller = _users->authenticate(request);
	const GroupFields fields = readFields(request, "userIds");
	sendGroup(response, 200, _service.addMembers(caller.id, request.idParam("id"), fields.ids));
}

void GroupRoutes::setRole(Request& request, Response& response)
{
	const User caller = _users->authenticate(request);
	const std::string role = request.form().get("role");
	sendGroup(response, 200, _service.setRole(caller.id, request.idParam("id"), request.idParam("userId"), role));
}

void GroupRoutes::removeMember(Request& request, Response& response)
{
	const User caller = _users->authenticate(request);
	_service.removeMember(caller.id, request.idParam("id"), request.idParam("userId"));
	response.sendNoContent();
}

void GroupRoutes::history(Request& request, Response& response)
{
	const User caller = _users->authenticate(request);
	const Poco::Int64 limit = positiveQuery(request, "limit", MAX_PAGE);
	const Poco::Int64 before = positiveQuery(request, "before", std::numeric_limits<Poco::Int64>::max());
	const Poco::Int64 groupId = request.idParam("id");
	// The whole history is streamed a page at a time, whatever its length.
	const std::shared_ptr<MessageArrayStream> all = limit > 0 ? nullptr : _service.historyStream(caller.id, groupId, before);
	response.http().set("Cache-Control", "no-store");
	if (all) MessageArrayStream::send(response, all);
	else response.sendJsonText(200, Message::arrayJsonText(_service.history(caller.id, groupId, before, static_cast<std::size_t>(limit))));
}

void GroupRoutes::post(Request& request, Response& response)
{
	const User caller = _users->authenticate(request);
	const Poco::Int64 groupId = request.idParam("id");
	const Form& form = request.form();
	// With an attachment the text (its caption) may be left out.
	const std::string attachmentId = form.get("attachmentId");
	if (attachmentId.empty() && !form.has("text") && !form.has("message[text]"))
		throw HttpError::validation("text", "text must not be empty");
	const std::string text = form.getAny({"text", "message[text]"});
	// Answered after the commit, from the store's publisher thread.
	std::shared_ptr<DeferredResponse> answer = response.defer();
	_service.post(caller, groupId, text, [answer](const Message* stored, const HttpError* error)
	{
		if (stored)
		{
			const std::string json = stored->toJsonText();
			answer->complete([&json](Response& created) { created.sendJsonText(201, json); });
		}
		else
		{
			answer->fail(*error);
		}
	}, attachmentId);
}

void GroupRoutes::read(Request& request, Response& response)
{
	const User caller = _users->authenticate(request);
	const Poco::Int64 groupId = request.idParam("id");
	// Absent: -1, refused as any other id below 0.
	const Poco::Int64 upTo = request.form().getInteger("upToId", -1);
	if (upTo < 0) throw HttpError::validation("upToId", "upToId must be a message id");
	_service.read(caller.id, groupId, upTo);
	response.sendNoContent();
}

} } // namespace Palaver::Groups
