//
// WebSocketFrame.h
//

#ifndef Palaver_WebSocketFrame_INCLUDED
#define Palaver_WebSocketFrame_INCLUDED

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace Palaver {

/// One serialised RFC 6455 frame, ready for the wire. Immutable and shared:
/// a frame made once (WebSocketFrame::text()) is queued on any number of
/// connections without a copy per connection. Thread-safe (nothing changes
/// after construction).
///
/// The static encode() functions write the bytes of any frame; server frames
/// are unmasked, a mask (4 bytes) is for clients (tests).
class WebSocketFrame
{
public:
	using Ptr = std::shared_ptr<const WebSocketFrame>;

	enum class Opcode: std::uint8_t
	{
		Continuation = 0x0,
		Text = 0x1,
		Binary = 0x2,
		Close = 0x8,
		Ping = 0x9,
		Pong = 0xA
	};

	/// Close status codes the server uses (RFC 6455, 7.4.1); 4000-4999 are
	/// the application's (PROTOCOL.md: 4001 when a session ends).
	struct CloseCode
	{
		static constexpr std::uint16_t Normal = 1000;
		static constexpr std::uint16_t GoingAway = 1001;
		static constexpr std::uint16_t ProtocolError = 1002;
		static constexpr std::uint16_t Unsupported = 1003;
		static constexpr std::uint16_t NoStatus = 1005;
		static constexpr std::uint16_t Abnormal = 1006;        /// never sent: the connection ended without a close frame
		static constexpr std::uint16_t InvalidPayload = 1007;
		static constexpr std::uint16_t PolicyViolation = 1008;
		static constexpr std::uint16_t TooBig = 1009;
		static constexpr std::uint16_t InternalError = 1011;
		static constexpr std::uint16_t TryAgainLater = 1013;
		static constexpr std::uint16_t SessionEnded = 4001;
	};

	/// A text frame (payload: UTF-8, e.g. a JSON document).
	static Ptr text(const std::string& payload);

	/// A close frame; code 0 gives an empty payload. The reason is cut to 123 bytes.
	static Ptr close(std::uint16_t code, const std::string& reason = "");

	/// Any frame; the bytes are used as given.
	static Ptr fromBytes(std::string bytes);

	const std::string& bytes() const { return _bytes; }
	std::size_t size() const { return _bytes.size(); }

	static std::string encode(Opcode opcode, const char* data, std::size_t size, bool fin = true, const unsigned char* mask = nullptr);
	static std::string encode(Opcode opcode, const std::string& payload, bool fin = true, const unsigned char* mask = nullptr)
	{
		return encode(opcode, payload.data(), payload.size(), fin, mask);
	}
	static std::string encodeClose(std::uint16_t code, const std::string& reason = "", const unsigned char* mask = nullptr);

	/// Size of the header of an unmasked frame with this payload size.
	static std::size_t headerSize(std::size_t payloadSize);

	explicit WebSocketFrame(std::string bytes): _bytes(std::move(bytes)) {}

private:
	const std::string _bytes;
};

} // namespace Palaver

#endif
