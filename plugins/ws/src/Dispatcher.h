//
// Dispatcher.h
//
// What client text frames mean (PROTOCOL.md, "Client to server"), and the
// worker-side halves of storing and replaying messages.
//

#ifndef Palaver_Ws_Dispatcher_INCLUDED
#define Palaver_Ws_Dispatcher_INCLUDED

#include "FrameRegistry.h"
#include "palaver/WebSocket.h"
#include "palaver/services/ClientFrames.h"
#include "palaver/services/MessageStore.h"
#include <Poco/JSON/Object.h>
#include <Poco/Types.h>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace Palaver {

class HttpError;
class JsonValue;

namespace Ws {

class ChatHandler;
class Runtime;
struct ChatConnection;

class Dispatcher
{
public:
	/// What a ?since replay sends: frames keyed by message (or event) id, in
	/// event order; complete is false when more were missed than sent (or on
	/// an error, whose frame goes first).
	struct Replay
	{
		std::vector<std::pair<Poco::Int64, WebSocketFrame::Ptr>> frames;
		bool complete = true;
		std::string errorFrame;
	};

	/// Handles one text message of a connection, on its I/O thread (an auth
	/// frame before authentication goes to handler.beginAuth()).
	static void onText(ChatHandler& handler, const WebSocket::Ptr& socket, ChatConnection& connection,
		const std::string& text, Runtime& runtime);

	/// On a worker: loads what to replay (chatmsg for new direct messages,
	/// groupmsg for new messages of the user's groups when the groups plugin
	/// is loaded, msgupdate for later changes of older ones, in event order).
	static Replay replay(Poco::Int64 userId, Poco::Int64 since, std::size_t max, Runtime& runtime);

	/// A text frame to the connection, on its I/O thread (counted as sent).
	static void reply(WebSocket& socket, const std::string& json, Runtime& runtime);

	/// Error and ack frames' JSON (keys sorted, as Poco::JSON wrote them).
	static std::string errorJson(const std::string& code, const std::string& message,
		const std::string& clientMsgId = "", const std::string& field = "");

	static std::string ackJson(Poco::Int64 id, const std::string& clientMsgId);

	/// A Message JSON payload as a chatmsg frame's JSON (the payload's
	/// members plus "type", written without copying the object).
	static std::string chatmsgJson(const Poco::JSON::Object& message);

	/// The frame's JSON of a stored Message (replays): chatmsg, or groupmsg
	/// for a message to a group.
	static std::string messageFrameJson(const Message& message);

	/// A positive id from a JSON integer or a string of digits.
	static bool idField(const JsonValue& frame, const char* name, Poco::Int64& id, bool allowZero = false);

	/// idField() for a JSON value (an element of an array).
	static bool idValue(const JsonValue& value, Poco::Int64& id, bool allowZero = false);

private:
	static void postChat(const WebSocket::Ptr& socket, ChatConnection& connection, const JsonValue& frame, Runtime& runtime);

	/// A presence frame: {"subscribe": [ids]} (PROTOCOL.md Part 2,
	/// "Presence at scale"), answered at once by the hub.
	static void subscribePresence(const WebSocket::Ptr& socket, ChatConnection& connection, const JsonValue& frame, Runtime& runtime);

	/// Hands a frame to the handler a plugin added for it (ClientFrames), on a worker.
	static void toPlugin(const WebSocket::Ptr& socket, ChatConnection& connection, JsonValue frame,
		FrameRegistry::Shared handler, Runtime& runtime);

	/// A read frame: on a worker, the reader's cursor moves (MessageStore::
	/// markRead, which clamps upTo to the conversation's highest id); when it
	/// moved, a receipt to from and to the reader's connections.
	static void sendReceipt(WebSocket& socket, ChatConnection& connection, Poco::Int64 from, Poco::Int64 upTo, Runtime& runtime);

public:
	/// The answer to a chatmsg, encoded: ack with the stored id, or the
	/// error (an unknown failure when both are null), with clientMsgId.
	static WebSocketFrame::Ptr chatAnswer(const Message* stored, const HttpError* error, const std::string& clientMsgId);
};

} } // namespace Palaver::Ws

#endif
