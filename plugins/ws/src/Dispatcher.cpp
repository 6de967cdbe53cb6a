#include "Dispatcher.h"
#include "ChatHandler.h"
#include "Runtime.h"
#include "palaver/HttpError.h"
#include "palaver/JsonParser.h"
#include "palaver/JsonWriter.h"
#include <Poco/NumberParser.h>
#include <algorithm>
#include <limits>

namespace Palaver {
namespace Ws {

namespace {

constexpr std::size_t MAX_CLIENT_MSG_ID = 128;
constexpr std::size_t MAX_ID_DIGITS = 18;  // always fits Poco::Int64

// Client frames are flat: a low depth limit; their size is the frame limit's.
const JsonParser& frameParser()
{
	static const JsonParser parser([]
	{
		JsonParser::Limits limits;
		limits.maxBytes = std::numeric_limits<std::size_t>::max();
		limits.maxDepth = 16;
		return limits;
	}());
	return parser;
}

bool stringField(const JsonValue& frame, const char* name, std::string& value)
{
	const JsonValue* field = frame.find(name);
	if (!field || !field->isString()) return false;
	value = field->string();
	return true;
}

// Errors and acks in Poco's key order (sorted), as Poco::JSON wrote them.
void appendMember(std::string& out, const char* key, const std::string& value)
{
	out.push_back('"');
	out += key;
	out += "\":";
	JsonWriter::appendString(out, value);
	out.push_back(',');
}

} // namespace

std::string Dispatcher::errorJson(const std::string& code, const std::string& message, const std::string& clientMsgId, const std::string& field)
{
	std::string out;
	out.reserve(64 + message.size() + clientMsgId.size());
	out.push_back('{');
	if (!clientMsgId.empty()) appendMember(out, "clientMsgId", clientMsgId);
	appendMember(out, "code", code);
	if (!field.empty()) appendMember(out, "field", field);
	appendMember(out, "message", message);
	out += "\"type\":\"error\"}";
	return out;
}

std::string Dispatcher::ackJson(Poco::Int64 id, const std::string& clientMsgId)
{
	std::string out;
	out.reserve(48 + clientMsgId.size());
	out.push_back('{');
	if (!clientMsgId.empty()) appendMember(out, "clientMsgId", clientMsgId);
	out += "\"id\":";
	out += std::to_string(id);
	out += ",\"type\":\"ack\"}";
	return out;
}

std::string Dispatcher::chatmsgJson(const Poco::JSON::Object& message)
{
	std::string out;
	out.reserve(256);
	JsonWriter::appendObject(out, message, "type", "chatmsg");
	return out;
}

std::string Dispatcher::messageFrameJson(const Message& message)
{
	// "type" sorts after every key of a Message, so it goes last (Poco's order).
	std::string out = message.toJsonText();
	out.insert(out.size() - 1, message.groupId > 0 ? ",\"type\":\"groupmsg\"" : ",\"type\":\"chatmsg\"");
	return out;
}

bool Dispatcher::idField(const JsonValue& frame, const char* name, Poco::Int64& id, bool allowZero)
{
	const JsonValue* field = frame.find(name);
	return field && idValue(*field, id, allowZero);
}

bool Dispatcher::idValue(const JsonValue& value, Poco::Int64& id, bool allowZero)
{
	if (value.isInteger())
	{
		id = value.integer();
	}
	else if (value.isString())
	{
		const std::string& text = value.string();
		if (text.empty() || text.size() > MAX_ID_DIGITS || text.find_first_not_of("0123456789") != std::string::npos) return false;
		id = Poco::NumberParser::parse64(text);
	}
	else
	{
		return false;
	}
	return allowZero ? id >= 0 : id > 0;
}

void Dispatcher::reply(WebSocket& socket, const std::string& json, Runtime& runtime)
{
	runtime.framesOut.inc();
	socket.sendText(json);
}

void Dispatcher::onText(ChatHandler& handler, const WebSocket::Ptr& socket, ChatConnection& connection,
	const std::string& text, Runtime& runtime)
{
	JsonValue frame;
	try
	{
		frame = frameParser().parseObject(text);
	}
	catch (Poco::SyntaxException& e)
	{
		reply(*socket, errorJson("bad_request", "a frame must be a JSON object: " + e.message()), runtime);
		return;
	}
	std::string type;
	if (!stringField(frame, "type", type))
	{
		reply(*socket, errorJson("bad_request", "a frame needs a \"type\""), runtime);
		return;
	}

	if (connection.state != ChatConnection::State::Ready)
	{
		std::string token;
		if (type == "auth" && stringField(frame, "token", token) && !token.empty() && token.size() <= 1024)
			handler.beginAuth(socket, connection, token);
		else if (type == "auth")
			socket->close(WebSocketFrame::CloseCode::PolicyViolation, "invalid token");
		else
			reply(*socket, errorJson("unauthorized", "authenticate first"), runtime);
		return;
	}

	const Poco::Int64 me = connection.user->id;
	if (runtime.hub.sessionEnded(me, socket->id()))
	{
		// The close the hub asked for is on its way: act on nothing meanwhile.
		socket->close(WebSocketFrame::CloseCode::SessionEnded, "session ended");
		return;
	}
	if (!runtime.hub.allowFrame(me))
	{
		reply(*socket, errorJson("rate_limited", "too many frames, slow down"), runtime);
		return;
	}

	if (FrameRegistry::Shared pluginHandler = runtime.frames->find(type, frame))
	{
		toPlugin(socket, connection, std::move(frame), std::move(pluginHandler), runtime);
		return;
	}

	if (type == "chatmsg")
	{
		postChat(socket, connection, frame, runtime);
	}
	else if (type == "typing")
	{
		Poco::Int64 to = 0;
		if (!idField(frame, "toUserId", to))
		{
			reply(*socket, errorJson("bad_request", "toUserId must be a user id", "", "toUserId"), runtime);
			return;
		}
		runtime.push(to, "{\"type\":\"typing\",\"fromUserId\":" + std::to_string(me) + ",\"toUserId\":" + std::to_string(to) + "}");
	}
	else if (type == "read")
	{
		Poco::Int64 from = 0;
		Poco::Int64 upTo = 0;
		if (!idField(frame, "fromUserId", from))
		{
			reply(*socket, errorJson("bad_request", "fromUserId must be a user id", "", "fromUserId"), runtime);
			return;
		}
		if (!idField(frame, "upToId", upTo, true))
		{
			reply(*socket, errorJson("bad_request", "upToId must be a message id", "", "upToId"), runtime);
			return;
		}
		sendReceipt(*socket, connection, from, upTo, runtime);
	}
	else if (type == "presence")
	{
		subscribePresence(socket, connection, frame, runtime);
	}
	else if (type == "chatData")
	{
		Poco::Int64 from = 0;
		if (!idField(frame, "fromUserId", from) || from != me)
			reply(*socket, errorJson("forbidden", "fromUserId is not the authenticated user", "", "fromUserId"), runtime);
		// else: the seed client naming itself: nothing to do.
	}
	else if (type == "auth")
	{
		reply(*socket, errorJson("bad_request", "already authenticated"), runtime);
	}
	else
	{
		reply(*socket, errorJson("bad_request", "unknown frame type"), runtime);
	}
}

void Dispatcher::postChat(const WebSocket::Ptr& socket, ChatConnection& connection, const JsonValue& frame, Runtime& runtime)
{
	std::string clientMsgId;
	if (const JsonValue* field = frame.find("clientMsgId"))
	{
		// A string, or an integer as its decimal text (as before the strict parser).
		if (field->isString()) clientMsgId = field->string();
		else if (field->isInteger()) clientMsgId = std::to_string(field->integer());
		if (clientMsgId.empty() || clientMsgId.size() > MAX_CLIENT_MSG_ID)
		{
			reply(*socket, errorJson("bad_request", "clientMsgId must be a string of 1 to 128 characters", "", "clientMsgId"), runtime);
			return;
		}
	}
	Poco::Int64 to = 0;
	if (!idField(frame, "toUserId", to))
	{
		reply(*socket, errorJson("validation_failed", "toUserId must be a user id", clientMsgId, "toUserId"), runtime);
		return;
	}
	// With an attachment (PROTOCOL.md Part 2) the text, its caption, may be left out.
	std::string attachmentId;
	if (frame.find("attachmentId") && !stringField(frame, "attachmentId", attachmentId))
	{
		reply(*socket, errorJson("validation_failed", "attachmentId must be a string", clientMsgId, "attachmentId"), runtime);
		return;
	}
	std::string text;
	if (!stringField(frame, "text", text) && (attachmentId.empty() || frame.find("text")))
	{
		reply(*socket, errorJson("validation_failed", "text must be a string", clientMsgId, "text"), runtime);
		return;
	}
	auto& store = runtime.store;
	if (!store)
	{
		reply(*socket, errorJson("unavailable", "messages are not enabled on this server", clientMsgId), runtime);
		return;
	}
	std::shared_ptr<Runtime> keep = runtime.shared_from_this();
	// The store's publisher calls back after the commit, on its thread; the
	// answer goes through the hub, which drops it once the plugin has
	// stopped. The callback holds the runtime. The ack teaches the runtime
	// that the receiver exists.
	auto done = [keep, socket, clientMsgId, to, ticket = runtime.storeTicket()](const Message* stored, const HttpError* error)
	{
		if (stored) keep->learnUser(to);
		keep->hub.sendTo(socket, chatAnswer(stored, error, clientMsgId));
	};
	// An attachment is reserved in the database: never on this I/O thread.
	if (runtime.knowsUser(to) && attachmentId.empty())
	{
		// A receiver the store has accepted before: postAsync() only checks
		// the text and queues (its user check is a cache hit), so it runs
		// here, without a hand-off to a worker and back.
		try
		{
			store->postAsync(*connection.user, to, text, std::move(done));
		}
		catch (HttpError& error)
		{
			socket->send(chatAnswer(nullptr, &error, clientMsgId));
		}
		catch (...)
		{
			socket->send(chatAnswer(nullptr, nullptr, clientMsgId));
		}
		return;
	}
	// An unknown receiver: postAsync may look it up in the database once,
	// which an I/O thread must not: a worker validates and queues.
	const std::shared_ptr<const User> user = connection.user;
	auto storeCopy = store;
	const bool queued = runtime.workers.submit([keep, socket, user, to, text, attachmentId, clientMsgId, storeCopy, done]() mutable
	{
		try
		{
			storeCopy->postAsync(*user, to, text, std::move(done), attachmentId);
		}
		catch (HttpError& error)
		{
			keep->hub.sendTo(socket, chatAnswer(nullptr, &error, clientMsgId));
		}
		catch (...)
		{
			keep->hub.sendTo(socket, chatAnswer(nullptr, nullptr, clientMsgId));
		}
	});
	if (!queued)
		reply(*socket, errorJson("unavailable", "server busy, try again", clientMsgId), runtime);
}

void Dispatcher::subscribePresence(const WebSocket::Ptr& socket, ChatConnection& connection, const JsonValue& frame, Runtime& runtime)
{
	if (!runtime.settings.presence)
	{
		reply(*socket, errorJson("unavailable", "presence is not enabled on this server"), runtime);
		return;
	}
	const JsonValue* list = frame.find("subscribe");
	if (!list || !list->isArray())
	{
		reply(*socket, errorJson("bad_request", "subscribe must be an array of user ids", "", "subscribe"), runtime);
		return;
	}
	if (list->elements().size() > PresenceAudience::SUBSCRIBE_MAX)
	{
		reply(*socket, errorJson("bad_request", "subscribe names at most " + std::to_string(PresenceAudience::SUBSCRIBE_MAX) + " users", "", "subscribe"), runtime);
		return;
	}
	std::vector<Poco::Int64> userIds;
	userIds.reserve(list->elements().size());
	for (const JsonValue& element: list->elements())
	{
		Poco::Int64 id = 0;
		if (!idValue(element, id))
		{
			reply(*socket, errorJson("bad_request", "subscribe must be an array of user ids", "", "subscribe"), runtime);
			return;
		}
		if (std::find(userIds.begin(), userIds.end(), id) == userIds.end()) userIds.push_back(id);
	}
	runtime.hub.subscribe(connection.user->id, socket, userIds);
}

void Dispatcher::toPlugin(const WebSocket::Ptr& socket, ChatConnection& connection, JsonValue frame,
	FrameRegistry::Shared handler, Runtime& runtime)
{
	std::string clientMsgId;
	stringField(frame, "clientMsgId", clientMsgId);
	if (clientMsgId.size() > MAX_CLIENT_MSG_ID) clientMsgId.clear();
	std::shared_ptr<Runtime> keep = runtime.shared_from_this();
	const std::shared_ptr<const User> user = connection.user;
	// Through the hub, which drops frames once the plugin has stopped.
	ClientFrames::Reply answer = [keep, socket](const std::string& json)
	{
		keep->hub.sendTo(socket, WebSocketFrame::text(json));
	};
	const bool queued = runtime.workers.submit([user, frame = std::move(frame), handler = std::move(handler), answer, clientMsgId]
	{
		try
		{
			(*handler)(*user, frame, answer);
		}
		catch (HttpError& error)
		{
			answer(errorJson(error.code(), error.message(), clientMsgId, error.field()));
		}
		catch (...)
		{
			answer(errorJson("internal", "the frame could not be handled", clientMsgId));
		}
	});
	if (!queued)
		reply(*socket, errorJson("unavailable", "server busy, try again", clientMsgId), runtime);
}

void Dispatcher::sendReceipt(WebSocket& socket, ChatConnection& connection, Poco::Int64 from, Poco::Int64 upTo, Runtime& runtime)
{
	// Without messages there is nothing to have read: no receipt.
	if (!runtime.store || upTo == 0) return;
	// The clamp reads the database: on a worker, never on the I/O thread.
	std::shared_ptr<Runtime> keep = runtime.shared_from_this();
	const Poco::Int64 reader = connection.user->id;
	const bool queued = runtime.workers.submit([keep, reader, from, upTo]
	{
		Poco::Int64 moved = 0;
		try
		{
			moved = keep->store->markRead(reader, from, upTo);
		}
		catch (...)
		{
			// Storage trouble: a receipt is a courtesy, drop it (the store logged why).
			return;
		}
		if (moved == 0) return;
		// To the other side and to the reader's connections (other devices).
		const std::string receipt = "{\"type\":\"receipt\",\"readerId\":" + std::to_string(reader) +
			",\"fromUserId\":" + std::to_string(from) + ",\"upToId\":" + std::to_string(moved) + "}";
		keep->push(from, receipt);
		if (from != reader) keep->push(reader, receipt);
	});
	if (!queued)
		reply(socket, errorJson("unavailable", "server busy, try again"), runtime);
}

WebSocketFrame::Ptr Dispatcher::chatAnswer(const Message* stored, const HttpError* error, const std::string& clientMsgId)
{
	std::string answer;
	if (stored)
		answer = ackJson(stored->id, clientMsgId);
	else if (error)
		answer = errorJson(error->code(), error->message(), clientMsgId, error->field());
	else
		answer = errorJson("internal", "the message could not be stored", clientMsgId);
	return WebSocketFrame::text(answer);
}

Dispatcher::Replay Dispatcher::replay(Poco::Int64 userId, Poco::Int64 since, std::size_t max, Runtime& runtime)
{
	const std::shared_ptr<MessageStore>& store = runtime.store;
	Replay result;
	if (!store)
	{
		result.complete = false;
		result.errorFrame = errorJson("unavailable", "messages are not enabled on this server");
		return result;
	}
	try
	{
		// New messages (chatmsg or groupmsg, keyed by their ids) and changes
		// of older ones (msgupdate, by event id), in the order of their one
		// sequence; group messages only with the groups plugin, each group
		// from the user's joining on.
		const std::shared_ptr<GroupDirectory> groups = runtime.groupDirectory();
		std::vector<MessageUpdate> events = store->eventsSince(userId,
			groups ? groups->windowsOf(userId) : std::vector<MessageStore::GroupWindow>(), since, max + 1);
		result.complete = events.size() <= max;
		if (!result.complete) events.resize(max);
		result.frames.reserve(events.size());
		for (const MessageUpdate& event: events)
		{
			const std::string json = event.eventId == event.message.id ? messageFrameJson(event.message) : event.frameJson();
			result.frames.emplace_back(event.eventId, WebSocketFrame::text(json));
		}
	}
	catch (HttpError& error)
	{
		result.frames.clear();
		result.complete = false;
		result.errorFrame = errorJson(error.code(), error.message());
	}
	catch (...)
	{
		result.frames.clear();
		result.complete = false;
		result.errorFrame = errorJson("internal", "could not load the missed messages");
	}
	return result;
}

} } // namespace Palaver::Ws
