// Fuzzes the WebSocket frame decoder (core/server/net/WebSocketDecoder.cpp) with the
// bytes a client could send. Byte 0 picks the decoder's settings and how the
// rest is split into reads; the same stream decoded in one piece and in
// chunks must give the same events, and every event must keep the codec's
// promises (text and close reasons are UTF-8, messages within the limit,
// error codes among those the decoder documents).
#include "WebSocketDecoder.h"
#include "palaver/Utf8.h"
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

using Palaver::Server::FrameDecoder;
using Palaver::Server::FrameEvent;

namespace {

struct Seen
{
	FrameEvent::Type type;
	std::string payload;
	std::uint16_t code;
};

void check(bool condition)
{
	if (!condition) std::abort();
}

// Feeds data in chunks of chunk bytes (0: all at once), keeping the
// unconsumed tail the way the I/O loop does.
std::vector<Seen> decode(const std::string& data, std::size_t chunk, std::size_t maxMessage, bool requireMask, bool rejectBinary)
{
	FrameDecoder decoder(maxMessage, requireMask, rejectBinary);
	std::vector<Seen> events;
	std::string pending;
	std::size_t offset = 0;
	while (offset < data.size() && !decoder.failed())
	{
		const std::size_t take = chunk == 0 ? data.size() - offset : std::min(chunk, data.size() - offset);
		pending.append(data, offset, take);
		offset += take;
		const std::size_t used = decoder.decode(pending.data(), pending.size(), [&](FrameEvent& event)
		{
			events.push_back({event.type, event.payload, event.code});
			return true;
		});
		check(used <= pending.size());
		pending.erase(0, used);
	}
	return events;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	if (size < 1) return 0;
	const std::uint8_t settings = data[0];
	const std::size_t maxMessage = (settings & 0x03) == 0 ? 16 : (settings & 0x03) == 1 ? 125 : 65536;
	const bool requireMask = (settings & 0x04) != 0;
	const bool rejectBinary = (settings & 0x08) != 0;
	const std::size_t chunk = 1 + (settings >> 4);  // 1..16 bytes per read
	const std::string stream(reinterpret_cast<const char*>(data + 1), size - 1);

	const auto whole = decode(stream, 0, maxMessage, requireMask, rejectBinary);
	const auto pieces = decode(stream, chunk, maxMessage, requireMask, rejectBinary);
	check(whole.size() == pieces.size());
	for (std::size_t i = 0; i < whole.size(); ++i)
	{
		check(whole[i].type == pieces[i].type);
		check(whole[i].payload == pieces[i].payload);
		check(whole[i].code == pieces[i].code);
		const Seen& event = whole[i];
		switch (event.type)
		{
		case FrameEvent::Type::Text:
			check(Palaver::Utf8::isValid(event.payload));
			check(event.payload.size() <= maxMessage);
			break;
		case FrameEvent::Type::Binary:
			check(!rejectBinary);
			check(event.payload.size() <= maxMessage);
			break;
		case FrameEvent::Type::Ping:
		case FrameEvent::Type::Pong:
			check(event.payload.size() <= 125);
			break;
		case FrameEvent::Type::Close:
			check(event.code == 1005 || FrameDecoder::validCloseCode(event.code));
			check(Palaver::Utf8::isValid(event.payload));
			break;
		case FrameEvent::Type::Error:
			check(event.code == 1002 || event.code == 1003 || event.code == 1007 || event.code == 1009);
			check(i + 1 == whole.size());  // nothing after an error
			break;
		}
	}
	return 0;
}
