//
// Dispatcher.h
//
// What client text frames mean (PROTOCOL.md, "Client to server"), and the
// worker-side halves of storing and replaying messages.
//

#ifndef Palaver_Ws_Dispatcher_INCLUDED
#define Palaver_Ws_Dispatcher_INCLUDED

#include "palaver/WebSocketFrame.h"
#include "palaver/services/MessageStore.h"
#include <Poco/JSON/Object.h>
#include <Poco/Types.h>
#include <cstdint>
#include <memory>
#include <string>

namespace Palaver {

class HttpError;
class JsonValue;

namespace Ws {

class IoLoop;
class Runtime;
struct Connection;

class Dispatcher
{
public:
	/// Handles one text message of a connection, on its I/O thread.
	static void onText(IoLoop& loop, Connection& connection, const std::string& text, Runtime& runtime);

	/// On a worker: loads what to replay (chatmsg for new messages, msgupdate
	/// for later changes of older ones, in event order) and posts it to loop.
	static void replay(IoLoop& loop, std::uint64_t connection, Poco::Int64 userId, Poco::Int64 since,
		std::size_t max, const std::shared_ptr<MessageStore>& store);

	/// Error and ack frames' JSON (keys sorted, as Poco::JSON wrote them).
	static std::string errorJson(const std::string& code, const std::string& message,
		const std::string& clientMsgId = "", const std::string& field = "");

	static std::string ackJson(Poco::Int64 id, const std::string& clientMsgId);

	/// A Message JSON payload as a chatmsg frame's JSON (the payload's
	/// members plus "type", written without copying the object).
	static std::string chatmsgJson(const Poco::JSON::Object& message);

	/// The same frame's JSON from a stored Message (replays).
	static std::string chatmsgJson(const Message& message);

	/// A positive id from a JSON integer or a string of digits.
	static bool idField(const JsonValue& frame, const char* name, Poco::Int64& id, bool allowZero = false);

private:
	static void postChat(IoLoop& loop, Connection& connection, const JsonValue& frame, Runtime& runtime);

	/// A read frame's receipt to from, with upTo clamped on a worker to the
	/// highest id of the conversation; none when that conversation is empty.
	static void sendReceipt(IoLoop& loop, Connection& connection, Poco::Int64 from, Poco::Int64 upTo, Runtime& runtime);

public:
	/// The answer to a chatmsg, encoded: ack with the stored id, or the
	/// error (an unknown failure when both are null), with clientMsgId.
	static WebSocketFrame::Ptr chatAnswer(const Message* stored, const HttpError* error, const std::string& clientMsgId);
};

} } // namespace Palaver::Ws

#endif
