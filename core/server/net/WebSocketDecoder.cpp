#include "WebSocketDecoder.h"
#include "palaver/Utf8.h"
#include <cstring>

namespace Palaver {
namespace Server {

FrameDecoder::FrameDecoder(std::size_t maxMessage, bool requireMask, bool rejectBinary):
	_maxMessage(maxMessage),
	_requireMask(requireMask),
	_rejectBinary(rejectBinary)
{
}

void FrameDecoder::reset()
{
	_messageOpcode = 0;
	std::string().swap(_message);
}

bool FrameDecoder::validCloseCode(std::uint16_t code)
{
	if (code >= 1000 && code <= 1003) return true;
	if (code >= 1007 && code <= 1011) return true;
	return code >= 3000 && code <= 4999;
}

std::size_t FrameDecoder::fail(std::uint16_t code, const char* reason, FrameEvent& event, bool& emitted)
{
	event.type = FrameEvent::Type::Error;
	event.code = code;
	event.payload = reason;
	emitted = true;
	reset();
	return 1;  // anything non-zero: decode() stops after an error anyway
}

std::size_t FrameDecoder::next(const char* data, std::size_t size, FrameEvent& event, bool& emitted)
{
	const auto* bytes = reinterpret_cast<const unsigned char*>(data);
	if (size < 2) return 0;

	const bool fin = (bytes[0] & 0x80) != 0;
	const unsigned rsv = bytes[0] & 0x70;
	const std::uint8_t opcode = bytes[0] & 0x0F;
	const bool masked = (bytes[1] & 0x80) != 0;
	std::uint64_t length = bytes[1] & 0x7F;
	std::size_t header = 2;

	// Everything that can be judged from the first two bytes first, so that a
	// bad frame is refused before its payload arrives.
	if (rsv != 0) return fail(CloseCode::ProtocolError, "reserved bits set", event, emitted);
	const bool control = (opcode & 0x08) != 0;
	switch (opcode)
	{
	case 0x0: case 0x1: case 0x2: case 0x8: case 0x9: case 0xA:
		break;
	default:
		return fail(CloseCode::ProtocolError, "unknown opcode", event, emitted);
	}
	if (_requireMask && !masked) return fail(CloseCode::ProtocolError, "client frames must be masked", event, emitted);
	if (control)
	{
		if (!fin) return fail(CloseCode::ProtocolError, "fragmented control frame", event, emitted);
		if (length > 125) return fail(CloseCode::ProtocolError, "control frame too long", event, emitted);
	}
	else if (opcode == 0x0)
	{
		if (_messageOpcode == 0) return fail(CloseCode::ProtocolError, "continuation without a message", event, emitted);
	}
	else
	{
		if (_messageOpcode != 0) return fail(CloseCode::ProtocolError, "new message inside a fragmented one", event, emitted);
		if (opcode == 0x2 && _rejectBinary) return fail(CloseCode::Unsupported, "binary frames are not accepted", event, emitted);
	}

	if (length == 126)
	{
		if (size < 4) return 0;
		length = (static_cast<std::uint64_t>(bytes[2]) << 8) | bytes[3];
		header = 4;
	}
	else if (length == 127)
	{
		if (size < 10) return 0;
		length = 0;
		for (int i = 2; i < 10; ++i) length = (length << 8) | bytes[i];
		header = 10;
		if (length >> 63) return fail(CloseCode::ProtocolError, "invalid length", event, emitted);
	}
	if (!control)
	{
		const std::uint64_t total = (opcode == 0x0 ? _message.size() : 0) + length;
		if (total > _maxMessage) return fail(CloseCode::TooBig, "message too big", event, emitted);
	}
	const unsigned char* mask = nullptr;
	if (masked)
	{
		if (size < header + 4) return 0;
		mask = bytes + header;
		header += 4;
	}
	if (size - header < length) return 0;

	const std::size_t consumed = header + static_cast<std::size_t>(length);
	const char* payload = data + header;
	auto unmaskInto = [&](std::string& target)
	{
		const std::size_t start = target.size();
		target.append(payload, static_cast<std::size_t>(length));
		if (mask)
		{
			for (std::size_t i = 0; i < length; ++i)
				target[start + i] = static_cast<char>(target[start + i] ^ mask[i & 3]);
		}
	};

	if (control)
	{
		event.payload.clear();
		unmaskInto(event.payload);
		event.code = 0;
		if (opcode == 0x9)
		{
			event.type = FrameEvent::Type::Ping;
		}
		else if (opcode == 0xA)
		{
			event.type = FrameEvent::Type::Pong;
		}
		else
		{
			if (event.payload.size() == 1) return fail(CloseCode::ProtocolError, "invalid close payload", event, emitted);
			if (event.payload.empty())
			{
				event.code = CloseCode::NoStatus;
			}
			else
			{
				const auto* p = reinterpret_cast<const unsigned char*>(event.payload.data());
				event.code = static_cast<std::uint16_t>((p[0] << 8) | p[1]);
				if (!validCloseCode(event.code)) return fail(CloseCode::ProtocolError, "invalid close code", event, emitted);
				event.payload.erase(0, 2);
				if (!Utf8::isValid(event.payload)) return fail(CloseCode::InvalidPayload, "close reason is not UTF-8", event, emitted);
			}
			event.type = FrameEvent::Type::Close;
		}
		emitted = true;
		return consumed;
	}

	if (opcode != 0x0) _messageOpcode = opcode;
	if (fin && _message.empty())
	{
		// The common case: a whole message in one frame, no copy to _message.
		event.payload.clear();
		unmaskInto(event.payload);
	}
	else
	{
		unmaskInto(_message);
		if (!fin) return consumed;
		event.payload.swap(_message);
		std::string().swap(_message);
	}
	const std::uint8_t messageOpcode = _messageOpcode;
	_messageOpcode = 0;
	event.code = 0;
	if (messageOpcode == 0x1)
	{
		if (!Utf8::isValid(event.payload)) return fail(CloseCode::InvalidPayload, "text is not valid UTF-8", event, emitted);
		event.type = FrameEvent::Type::Text;
	}
	else
	{
		event.type = FrameEvent::Type::Binary;
	}
	emitted = true;
	return consumed;
}

} } // namespace Palaver::Server
