#include "Dispatcher.h"
#include "IoLoop.h"
#include "Runtime.h"
#include "palaver/HttpError.h"
#include <Poco/JSON/Parser.h>
#include <Poco/NumberParser.h>
#include <sstream>

namespace Palaver {
namespace Ws {

namespace {

constexpr std::size_t MAX_CLIENT_MSG_ID = 128;
constexpr std::size_t MAX_JSON_DEPTH = 16;

bool stringField(const Poco::JSON::Object& object, const std::string& name, std::string& value)
{
	if (!object.has(name)) return false;
	const Poco::Dynamic::Var var = object.get(name);
	if (!var.isString()) return false;
	value = var.extract<std::string>();
	return true;
}

} // namespace

std::string Dispatcher::stringify(const Poco::JSON::Object& object)
{
	std::ostringstream out;
	object.stringify(out);
	return out.str();
}

std::string Dispatcher::errorJson(const std::string& code, const std::string& message, const std::string& clientMsgId, const std::string& field)
{
	Poco::JSON::Object error;
	error.set("type", "error");
	error.set("code", code);
	error.set("message", message);
	if (!clientMsgId.empty()) error.set("clientMsgId", clientMsgId);
	if (!field.empty()) error.set("field", field);
	return stringify(error);
}

std::string Dispatcher::chatmsgJson(const Poco::JSON::Object& message)
{
	Poco::JSON::Object frame(message);
	frame.set("type", "chatmsg");
	return stringify(frame);
}

bool Dispatcher::idField(const Poco::JSON::Object& object, const std::string& name, Poco::Int64& id, bool allowZero)
{
	if (!object.has(name)) return false;
	const Poco::Dynamic::Var var = object.get(name);
	try
	{
		if (var.isInteger())
		{
			id = var.convert<Poco::Int64>();
		}
		else if (var.isString())
		{
			const std::string text = var.extract<std::string>();
			if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos) return false;
			id = Poco::NumberParser::parse64(text);
		}
		else
		{
			return false;
		}
	}
	catch (Poco::Exception&)
	{
		return false;
	}
	return allowZero ? id >= 0 : id > 0;
}

void Dispatcher::onText(IoLoop& loop, Connection& connection, const std::string& text, Runtime& runtime)
{
	Poco::JSON::Object::Ptr frame;
	try
	{
		Poco::JSON::Parser parser;
		parser.setDepth(MAX_JSON_DEPTH);  // client frames are flat: no deep recursion on an I/O thread
		Poco::Dynamic::Var parsed = parser.parse(text);
		if (parsed.type() == typeid(Poco::JSON::Object::Ptr)) frame = parsed.extract<Poco::JSON::Object::Ptr>();
	}
	catch (Poco::Exception&)
	{
	}
	catch (std::exception&)
	{
	}
	if (!frame)
	{
		loop.sendText(connection, errorJson("bad_request", "a frame must be a JSON object"));
		return;
	}
	std::string type;
	if (!stringField(*frame, "type", type))
	{
		loop.sendText(connection, errorJson("bad_request", "a frame needs a \"type\""));
		return;
	}

	if (connection.state != Connection::State::Ready)
	{
		std::string token;
		if (type == "auth" && stringField(*frame, "token", token) && !token.empty() && token.size() <= 1024)
			loop.beginAuth(connection, token, false);
		else if (type == "auth")
			loop.startClose(connection, CloseCode::PolicyViolation, "invalid token");
		else
			loop.sendText(connection, errorJson("unauthorized", "authenticate first"));
		return;
	}

	if (!runtime.hub.allowFrame(connection.userId))
	{
		loop.sendText(connection, errorJson("rate_limited", "too many frames, slow down"));
		return;
	}

	const Poco::Int64 me = connection.userId;
	if (type == "chatmsg")
	{
		postChat(loop, connection, *frame, runtime);
	}
	else if (type == "typing")
	{
		Poco::Int64 to = 0;
		if (!idField(*frame, "toUserId", to))
		{
			loop.sendText(connection, errorJson("bad_request", "toUserId must be a user id", "", "toUserId"));
			return;
		}
		runtime.push(to, "{\"type\":\"typing\",\"fromUserId\":" + std::to_string(me) + ",\"toUserId\":" + std::to_string(to) + "}");
	}
	else if (type == "read")
	{
		Poco::Int64 from = 0;
		Poco::Int64 upTo = 0;
		if (!idField(*frame, "fromUserId", from))
		{
			loop.sendText(connection, errorJson("bad_request", "fromUserId must be a user id", "", "fromUserId"));
			return;
		}
		if (!idField(*frame, "upToId", upTo, true))
		{
			loop.sendText(connection, errorJson("bad_request", "upToId must be a message id", "", "upToId"));
			return;
		}
		runtime.push(from, "{\"type\":\"receipt\",\"readerId\":" + std::to_string(me) + ",\"upToId\":" + std::to_string(upTo) + "}");
	}
	else if (type == "chatData")
	{
		Poco::Int64 from = 0;
		if (!idField(*frame, "fromUserId", from) || from != me)
			loop.sendText(connection, errorJson("forbidden", "fromUserId is not the authenticated user", "", "fromUserId"));
		// else: the seed client naming itself: nothing to do.
	}
	else if (type == "auth")
	{
		loop.sendText(connection, errorJson("bad_request", "already authenticated"));
	}
	else
	{
		loop.sendText(connection, errorJson("bad_request", "unknown frame type"));
	}
}

void Dispatcher::postChat(IoLoop& loop, Connection& connection, const Poco::JSON::Object& frame, Runtime& runtime)
{
	std::string clientMsgId;
	if (frame.has("clientMsgId"))
	{
		const Poco::Dynamic::Var var = frame.get("clientMsgId");
		if (var.isString()) clientMsgId = var.extract<std::string>();
		else if (var.isInteger()) clientMsgId = var.convert<std::string>();
		if (clientMsgId.empty() || clientMsgId.size() > MAX_CLIENT_MSG_ID)
		{
			loop.sendText(connection, errorJson("bad_request", "clientMsgId must be a string of 1 to 128 characters", "", "clientMsgId"));
			return;
		}
	}
	Poco::Int64 to = 0;
	if (!idField(frame, "toUserId", to))
	{
		loop.sendText(connection, errorJson("validation_failed", "toUserId must be a user id", clientMsgId, "toUserId"));
		return;
	}
	std::string text;
	if (!stringField(frame, "text", text))
	{
		loop.sendText(connection, errorJson("validation_failed", "text must be a string", clientMsgId, "text"));
		return;
	}
	auto store = runtime.store;
	if (!store)
	{
		loop.sendText(connection, errorJson("unavailable", "messages are not enabled on this server", clientMsgId));
		return;
	}
	const Hub::Ref ref{loop.index(), connection.id};
	const std::shared_ptr<const User> user = connection.user;
	// The worker only validates and queues (postAsync may look the receiver
	// up in the database once, which an I/O thread must not); the commit is
	// waited for by nobody: the store's writer calls back with the outcome.
	// The callback holds the runtime, and goes through the hub, which drops
	// the answer once the loops are gone (at stop).
	std::shared_ptr<Runtime> shared = runtime.shared_from_this();
	const bool queued = runtime.workers.submit([shared, ref, user, to, text, clientMsgId, store]
	{
		try
		{
			store->postAsync(*user, to, text, [shared, ref, clientMsgId](const Message* stored, const HttpError* error)
			{
				shared->hub.sendTo(ref, chatAnswer(stored, error, clientMsgId));
			});
		}
		catch (HttpError& error)
		{
			shared->hub.sendTo(ref, chatAnswer(nullptr, &error, clientMsgId));
		}
		catch (...)
		{
			shared->hub.sendTo(ref, chatAnswer(nullptr, nullptr, clientMsgId));
		}
	});
	if (!queued)
		loop.sendText(connection, errorJson("unavailable", "server busy, try again", clientMsgId));
}

FrameBytes Dispatcher::chatAnswer(const Message* stored, const HttpError* error, const std::string& clientMsgId)
{
	std::string answer;
	if (stored)
	{
		Poco::JSON::Object ack;
		ack.set("type", "ack");
		if (!clientMsgId.empty()) ack.set("clientMsgId", clientMsgId);
		ack.set("id", stored->id);
		answer = stringify(ack);
	}
	else if (error)
	{
		answer = errorJson(error->code(), error->message(), clientMsgId, error->field());
	}
	else
	{
		answer = errorJson("internal", "the message could not be stored", clientMsgId);
	}
	return std::make_shared<const std::string>(FrameEncoder::text(answer));
}

void Dispatcher::replay(IoLoop& loop, std::uint64_t connection, Poco::Int64 userId, Poco::Int64 since,
	std::size_t max, const std::shared_ptr<MessageStore>& store)
{
	Command result(Command::Type::ReplayResult);
	result.connection = connection;
	if (!store)
	{
		result.complete = false;
		result.errorFrame = errorJson("unavailable", "messages are not enabled on this server");
		loop.post(std::move(result));
		return;
	}
	try
	{
		std::vector<Message> messages = store->since(userId, since, max + 1);
		result.complete = messages.size() <= max;
		if (!result.complete) messages.resize(max);
		result.replay.reserve(messages.size());
		for (const Message& message: messages)
		{
			result.replay.emplace_back(message.id,
				std::make_shared<const std::string>(FrameEncoder::text(chatmsgJson(*message.toJson()))));
		}
	}
	catch (HttpError& error)
	{
		result.replay.clear();
		result.complete = false;
		result.errorFrame = errorJson(error.code(), error.message());
	}
	catch (...)
	{
		result.replay.clear();
		result.complete = false;
		result.errorFrame = errorJson("internal", "could not load the missed messages");
	}
	loop.post(std::move(result));
}

} } // namespace Palaver::Ws
