//
// WebSocketDecoder.h
//
// RFC 6455 frames from non-blocking sockets: an incremental decoder that
// reassembles messages from whatever bytes have arrived. (The encoder is the
// SDK's palaver/WebSocketFrame.h.)
//

#ifndef Palaver_Server_WebSocketDecoder_INCLUDED
#define Palaver_Server_WebSocketDecoder_INCLUDED

#include "palaver/WebSocketFrame.h"
#include <cstddef>
#include <cstdint>
#include <string>

namespace Palaver {
namespace Server {

using Opcode = WebSocketFrame::Opcode;
using CloseCode = WebSocketFrame::CloseCode;

/// One complete message (data frames reassembled) or control frame, or the
/// reason the stream was refused.
struct FrameEvent
{
	enum class Type { Text, Binary, Ping, Pong, Close, Error };

	Type type = Type::Error;
	std::string payload;           /// text, binary data, ping/pong data, close reason
	std::uint16_t code = 0;        /// Close: the peer's code (NoStatus when none); Error: the close code to answer with
};

/// Decodes the frames of one connection. Feed it bytes as they arrive; each
/// call consumes every complete frame at the front and reports how many
/// bytes it used, so the caller keeps only the unconsumed tail (a partial
/// frame). After an error it consumes nothing more.
///
/// Rules (errors answer with the close code in FrameEvent::code):
///   unmasked frame from a client, RSV bits, unknown opcodes, a fragmented
///   or over-125-byte control frame, a stray continuation, a new data frame
///   inside a fragmented message, a 1-byte close payload or an invalid close
///   code: 1002; a message larger than maxMessage: 1009; binary when
///   rejectBinary: 1003; text or close reason that is not UTF-8: 1007.
class FrameDecoder
{
public:
	explicit FrameDecoder(std::size_t maxMessage = 65536, bool requireMask = true, bool rejectBinary = true);

	/// Calls onEvent(FrameEvent&) for each message or control frame found in
	/// data[0, size). Stops after an Error event or when onEvent returns false
	/// (the caller wants to pause). Returns the number of bytes consumed.
	template <class F>
	std::size_t decode(const char* data, std::size_t size, F&& onEvent)
	{
		std::size_t used = 0;
		FrameEvent event;
		while (!_failed)
		{
			bool emitted = false;
			std::size_t n = next(data + used, size - used, event, emitted);
			if (n == 0) break;
			used += n;
			if (!emitted) continue;
			if (event.type == FrameEvent::Type::Error) _failed = true;
			bool more = onEvent(event);
			if (!more) break;
			if (event.type == FrameEvent::Type::Error) break;
		}
		return used;
	}

	/// decode() for a connection that keeps its unconsumed bytes in carry:
	/// data is appended to what carry holds, and carry keeps only what is
	/// left (a partial frame, or what follows a pause), without its memory
	/// when nothing is left or after an error.
	template <class F>
	void feed(std::string& carry, const char* data, std::size_t size, F&& onEvent)
	{
		if (carry.empty())
		{
			const std::size_t used = decode(data, size, onEvent);
			if (used < size && !_failed) carry.assign(data + used, size - used);
			return;
		}
		carry.append(data, size);
		const std::size_t used = decode(carry.data(), carry.size(), onEvent);
		if (_failed || used >= carry.size()) std::string().swap(carry);
		else carry.erase(0, used);
	}

	bool failed() const { return _failed; }

	/// True while a fragmented message is half received.
	bool inMessage() const { return _messageOpcode != 0; }

	/// Releases the memory of a half-assembled message.
	void reset();

	static bool validCloseCode(std::uint16_t code);

private:
	/// Decodes at most one frame; returns bytes consumed (0: incomplete) and
	/// sets emitted when event holds a message, control frame or error.
	std::size_t next(const char* data, std::size_t size, FrameEvent& event, bool& emitted);
	std::size_t fail(std::uint16_t code, const char* reason, FrameEvent& event, bool& emitted);

	std::size_t _maxMessage;
	bool _requireMask;
	bool _rejectBinary;
	bool _failed = false;
	std::uint8_t _messageOpcode = 0;   /// opcode of the fragmented message in progress, 0 when none
	std::string _message;              /// its fragments so far
};

} } // namespace Palaver::Server

#endif
