#include "WebSocketHandshake.h"
#include "palaver/OriginPolicy.h"
#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>
#include <Poco/SHA1Engine.h>
#include <Poco/String.h>
#include <sstream>

namespace Palaver {
namespace Server {

namespace {

const char* const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

std::string trim(const std::string& text)
{
	return Poco::trim(text);
}

HandshakeResult refuse(int status, const std::string& code, const std::string& message)
{
	HandshakeResult result;
	result.status = status;
	result.code = code;
	result.message = message;
	return result;
}

} // namespace

bool Handshake::hasToken(const std::string& headerValue, const std::string& token)
{
	std::size_t pos = 0;
	while (pos <= headerValue.size())
	{
		std::size_t end = headerValue.find(',', pos);
		if (end == std::string::npos) end = headerValue.size();
		if (Poco::icompare(trim(headerValue.substr(pos, end - pos)), token) == 0) return true;
		pos = end + 1;
	}
	return false;
}

HandshakeResult Handshake::check(const std::string& method, const Poco::Net::NameValueCollection& headers,
	const OriginPolicy& origins)
{
	if (method != "GET") return refuse(405, "method_not_allowed", "a WebSocket handshake is a GET");
	if (!hasToken(headers.get("Upgrade", ""), "websocket") || !hasToken(headers.get("Connection", ""), "upgrade"))
		return refuse(426, "upgrade_required", "this endpoint speaks WebSocket only");
	if (trim(headers.get("Sec-WebSocket-Version", "")) != "13")
		return refuse(426, "upgrade_required", "unsupported WebSocket version (13 expected)");
	const std::string key = trim(headers.get("Sec-WebSocket-Key", ""));
	{
		std::string decoded;
		try
		{
			std::istringstream in(key);
			Poco::Base64Decoder decoder(in);
			std::ostringstream out;
			out << decoder.rdbuf();
			decoded = out.str();
		}
		catch (Poco::Exception&)
		{
			decoded.clear();
		}
		if (key.size() != 24 || decoded.size() != 16)
			return refuse(400, "bad_request", "invalid Sec-WebSocket-Key");
	}
	const std::string host = headers.get("Host", "");
	if (!origins.allowsHost(host))
		return refuse(421, "misdirected_request", "this server does not answer to that host name");
	if (!origins.allows(headers.get("Origin", ""), host))
		return refuse(403, "forbidden", "origin not allowed");
	HandshakeResult result;
	result.acceptKey = acceptKey(key);
	result.status = 101;
	return result;
}

std::string Handshake::acceptKey(const std::string& key)
{
	Poco::SHA1Engine sha1;
	sha1.update(key);
	sha1.update(GUID);
	const Poco::DigestEngine::Digest& digest = sha1.digest();
	std::ostringstream out;
	Poco::Base64Encoder encoder(out);
	encoder.write(reinterpret_cast<const char*>(digest.data()), static_cast<std::streamsize>(digest.size()));
	encoder.close();
	return out.str();
}

std::string Handshake::switchingProtocols(const std::string& acceptKey)
{
	return "HTTP/1.1 101 Switching Protocols\r\n"
		"Upgrade: websocket\r\n"
		"Connection: Upgrade\r\n"
		"Sec-WebSocket-Accept: " + acceptKey + "\r\n\r\n";
}

} } // namespace Palaver::Server
