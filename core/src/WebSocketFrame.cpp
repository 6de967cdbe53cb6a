#include "palaver/WebSocketFrame.h"

namespace Palaver {

WebSocketFrame::Ptr WebSocketFrame::text(const std::string& payload)
{
	return std::make_shared<const WebSocketFrame>(encode(Opcode::Text, payload));
}

WebSocketFrame::Ptr WebSocketFrame::close(std::uint16_t code, const std::string& reason)
{
	return std::make_shared<const WebSocketFrame>(encodeClose(code, reason));
}

WebSocketFrame::Ptr WebSocketFrame::fromBytes(std::string bytes)
{
	return std::make_shared<const WebSocketFrame>(std::move(bytes));
}

std::size_t WebSocketFrame::headerSize(std::size_t payloadSize)
{
	if (payloadSize < 126) return 2;
	if (payloadSize <= 0xFFFF) return 4;
	return 10;
}

std::string WebSocketFrame::encode(Opcode opcode, const char* data, std::size_t size, bool fin, const unsigned char* mask)
{
	std::string frame;
	frame.reserve(headerSize(size) + (mask ? 4 : 0) + size);
	frame.push_back(static_cast<char>((fin ? 0x80 : 0x00) | static_cast<unsigned char>(opcode)));
	const unsigned char maskBit = mask ? 0x80 : 0x00;
	if (size < 126)
	{
		frame.push_back(static_cast<char>(maskBit | size));
	}
	else if (size <= 0xFFFF)
	{
		frame.push_back(static_cast<char>(maskBit | 126));
		frame.push_back(static_cast<char>((size >> 8) & 0xFF));
		frame.push_back(static_cast<char>(size & 0xFF));
	}
	else
	{
		frame.push_back(static_cast<char>(maskBit | 127));
		const std::uint64_t length = size;
		for (int shift = 56; shift >= 0; shift -= 8)
			frame.push_back(static_cast<char>((length >> shift) & 0xFF));
	}
	if (mask)
	{
		frame.append(reinterpret_cast<const char*>(mask), 4);
		const std::size_t start = frame.size();
		frame.append(data, size);
		for (std::size_t i = 0; i < size; ++i)
			frame[start + i] = static_cast<char>(frame[start + i] ^ mask[i % 4]);
	}
	else
	{
		frame.append(data, size);
	}
	return frame;
}

std::string WebSocketFrame::encodeClose(std::uint16_t code, const std::string& reason, const unsigned char* mask)
{
	std::string payload;
	if (code != 0)
	{
		payload.push_back(static_cast<char>(code >> 8));
		payload.push_back(static_cast<char>(code & 0xFF));
		payload.append(reason, 0, 123);
	}
	return encode(Opcode::Close, payload, true, mask);
}

} // namespace Palaver
