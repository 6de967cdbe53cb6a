#include "MessageRoutes.h"
#include "MessageService.h"
#include "palaver/DeferredResponse.h"
#include "palaver/HttpError.h"
#include "palaver/Request.h"
#include "palaver/Response.h"
#include "palaver/Router.h"
#include "palaver/services/UserDirectory.h"
#include <limits>

namespace Palaver {
namespace Messages {

MessageRoutes::MessageRoutes(MessageService& service, std::shared_ptr<UserDirectory> users):
	_service(service),
	_users(std::move(users))
{
}

void MessageRoutes::registerWith(Router& router, std::size_t maxBodySize)
{
	router.add("GET", "/messages/from/{toUserId}", [this](Request& request, Response& response)
	{
		conversation(request, response);
	});
	Router::Options options;
	options.maxBodySize = maxBodySize;
	// Its answer is deferred to the commit: it runs on the I/O thread, and
	// goes to a worker only for what reads the database (see post()).
	router.addOnIoThread("POST", "/post/touser/{toUserId}", [this](Request& request, Response& response)
	{
		post(request, response);
	}, options);
	router.add("PATCH", "/messages/{id}", [this](Request& request, Response& response)
	{
		edit(request, response);
	}, options);
	router.add("DELETE", "/messages/{id}", [this](Request& request, Response& response)
	{
		deleteForEveryone(request, response);
	});
}

void MessageRoutes::conversation(Request& request, Response& response)
{
	const User caller = _users->authenticate(request);
	_service.knowUser(caller.id);
	const Poco::Int64 other = request.idParam("toUserId");
	const Poco::Int64 limit = positiveQuery(request, "limit", MAX_PAGE);
	const Poco::Int64 before = positiveQuery(request, "before", std::numeric_limits<Poco::Int64>::max());
	const bool exists = _service.userExists(other);

	// Only ever the caller's own conversation: the caller is one side of
	// every row read, whoever {toUserId} names. A deleted user's
	// conversations stay readable by those who had them.
	if (limit > 0)
	{
		const std::string messages = _service.conversationJson(caller.id, other, before, static_cast<std::size_t>(limit));
		if (!exists && messages == "[]") throw HttpError::notFound("no such user");
		response.sendJsonText(200, messages);
		return;
	}
	// The whole history: streamed a page at a time, whatever its length.
	const std::shared_ptr<MessageArrayStream> history = _service.conversationStream(caller.id, other, before);
	if (!exists && history->empty()) throw HttpError::notFound("no such user");
	MessageArrayStream::send(response, history);
}

void MessageRoutes::post(Request& request, Response& response)
{
	const User caller = _users->authenticate(request);
	const Poco::Int64 receiver = request.idParam("toUserId");
	// With an attachment the text (its caption) may be left out.
	const std::string attachmentId = request.form().get("attachmentId");
	const std::string text = attachmentId.empty() ? textField(request) : request.form().getAny({"text", "message[text]"});
	// An attachment, or a receiver not yet known, is looked up in the database.
	if (!attachmentId.empty() || !_service.knowsUser(receiver)) request.requireWorker();
	// Answered after the commit, from the writer's callback: no worker waits
	// for it. What postAsync() throws (400, 404, 503) is answered at once.
	std::shared_ptr<DeferredResponse> answer = response.defer();
	_service.postAsync(caller, receiver, text, [answer](const Message* stored, const HttpError* error)
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

void MessageRoutes::edit(Request& request, Response& response)
{
	const User caller = _users->authenticate(request);
	const Poco::Int64 id = request.idParam("id");
	const MessageUpdate update = _service.edit(caller, id, textField(request));
	response.sendJsonText(200, update.message.toJsonText());
}

void MessageRoutes::deleteForEveryone(Request& request, Response&)
{
	const User caller = _users->authenticate(request);
	_service.deleteForEveryone(caller, request.idParam("id"));
	// Nothing sent: 204.
}

std::string MessageRoutes::textField(const Request& request)
{
	const Form& form = request.form();
	if (!form.has("text") && !form.has("message[text]"))
		throw HttpError::validation("text", "text must not be empty");
	return form.getAny({"text", "message[text]"});
}

Poco::Int64 MessageRoutes::positiveQuery(const Request& request, const std::string& name, Poco::Int64 max)
{
	const std::string value = request.query(name);
	if (value.empty()) return 0;
	Poco::Int64 number = 0;
	bool valid = value.size() <= 18;
	for (char c: value)
	{
		if (!valid) break;
		if (c < '0' || c > '9') valid = false;
		else number = number * 10 + (c - '0');
	}
	if (!valid || number < 1 || number > max)
	{
		if (max == std::numeric_limits<Poco::Int64>::max())
			throw HttpError::validation(name, name + " must be a positive message id");
		throw HttpError::validation(name, name + " must be a whole number from 1 to " + std::to_string(max));
	}
	return number;
}

} } // namespace Palaver::Messages
