//
// Frame.h
//
// RFC 6455 frame codec for non-blocking sockets: an incremental decoder that
// reassembles messages from whatever bytes have arrived, and the encoder.
//

#ifndef Palaver_Ws_Frame_INCLUDED
#define Palaver_Ws_Frame_INCLUDED

#include <cstddef>
#include <cstdint>
#include <string>

namespace Palaver {
namespace Ws {

enum class Opcode: std::uint8_t
{
	Continuation = 0x0,
	Text = 0x1,
	Binary = 0x2,
	Close = 0x8,
	Ping = 0x9,
	Pong = 0xA
};

/// Close status codes the server uses (RFC 6455, 7.4.1).
namespace CloseCode {
	constexpr std::uint16_t Normal = 1000;
	constexpr std::uint16_t GoingAway = 1001;
	constexpr std::uint16_t ProtocolError = 1002;
	constexpr std::uint16_t Unsupported = 1003;
	constexpr std::uint16_t NoStatus = 1005;
	constexpr std::uint16_t InvalidPayload = 1007;
	constexpr std::uint16_t PolicyViolation = 1008;
	constexpr std::uint16_t TooBig = 1009;
	constexpr std::uint16_t InternalError = 1011;
	constexpr std::uint16_t TryAgainLater = 1013;
}

/// Encodes frames. Server frames are unmasked; a mask (4 bytes) is for clients
/// (tests).
class FrameEncoder
{
public:
	static std::string encode(Opcode opcode, const char* data, std::size_t size, bool fin = true, const unsigned char* mask = nullptr);
	static std::string encode(Opcode opcode, const std::string& payload, bool fin = true, const unsigned char* mask = nullptr)
	{
		return encode(opcode, payload.data(), payload.size(), fin, mask);
	}
	static std::string text(const std::string& payload) { return encode(Opcode::Text, payload); }

	/// A close frame; code 0 gives an empty payload.
	static std::string close(std::uint16_t code, const std::string& reason = "", const unsigned char* mask = nullptr);

	/// Size of the header of an unmasked frame with this payload size.
	static std::size_t headerSize(std::size_t payloadSize);
};

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

} } // namespace Palaver::Ws

#endif
