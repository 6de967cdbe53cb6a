// Fuzzes what an upgrade request goes through before a WebSocket endpoint
// takes it: the core's head framing (HttpParser, as on every port), the
// upgrade checks (core/server/net/WebSocketHandshake.cpp), and the ws
// plugin's credentials (plugins/ws/src/Credentials.cpp: ?token, ?ticket,
// ?since, Bearer, cookie). Refusals are HttpError 4xx only.
#include "Credentials.h"
#include "HttpParser.h"
#include "WebSocketHandshake.h"
#include "palaver/HttpError.h"
#include "palaver/OriginPolicy.h"
#include "palaver/Request.h"
#include <cstdint>
#include <cstdlib>
#include <string>

using Palaver::HttpError;
using Palaver::Server::Handshake;
using Palaver::Server::HttpParser;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	static const Palaver::OriginPolicy origins("http://chat.example");
	static const HttpParser parser{HttpParser::Limits()};
	const std::string buffer(reinterpret_cast<const char*>(data), size);
	HttpParser::Scan scan;
	std::size_t headSize = 0;
	if (parser.scan(buffer, scan, headSize) != HttpParser::Head::Complete) return 0;
	Poco::Net::HTTPRequest http;
	try
	{
		HttpParser::parse(buffer.data(), headSize, http);
		const auto result = Handshake::check(http.getMethod(), http, origins);
		if (!result.accepted())
		{
			if (result.status < 400 || result.status > 499) std::abort();
			return 0;
		}
		if (result.acceptKey.empty()) std::abort();
		Handshake::switchingProtocols(result.acceptKey);
		Palaver::Request request(http, Poco::Net::SocketAddress("127.0.0.1", 5000), {}, "");
		const auto credentials = Palaver::Ws::Credentials::read(request, origins);
		if (credentials.hasSince && credentials.since < 0) std::abort();
	}
	catch (HttpError& e)
	{
		if (e.status() < 400 || e.status() > 499) std::abort();
	}
	return 0;
}
