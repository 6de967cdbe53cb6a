// Fuzzes the WebSocket upgrade request parser and checks
// (core/server/net/WebSocketHandshake.cpp): the bytes that arrive on the ws port
// before a connection is upgraded.
#include "WebSocketHandshake.h"
#include "palaver/OriginPolicy.h"
#include <cstdint>
#include <cstdlib>
#include <string>

using Palaver::Server::Handshake;
using Palaver::Server::HttpHead;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	static const Palaver::OriginPolicy origins("http://chat.example");
	const std::string buffer(reinterpret_cast<const char*>(data), size);
	HttpHead head;
	std::size_t headSize = 0;
	const auto state = Handshake::parse(buffer, head, headSize, 1024);
	if (state != Handshake::ParseState::Complete) return 0;
	if (headSize == 0 || headSize > buffer.size() || headSize > 1024) std::abort();
	auto result = Handshake::check(head.method, head.target, head.headers, origins);
	if (result.accepted()) Handshake::readCredentials(head.target, head.headers, origins, result);
	if (result.accepted())
	{
		if (result.acceptKey.empty()) std::abort();
		Handshake::switchingProtocols(result.acceptKey);
	}
	else
	{
		if (result.status < 400 || result.status > 599) std::abort();
		Handshake::refusal(result.status, result.code, result.message);
	}
	return 0;
}
