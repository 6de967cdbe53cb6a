#include "WebSocketHandshake.h"
#include "palaver/OriginPolicy.h"
#include "palaver/SessionCookie.h"
#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>
#include <Poco/JSON/Object.h>
#include <Poco/NumberParser.h>
#include <Poco/SHA1Engine.h>
#include <Poco/String.h>
#include <Poco/URI.h>
#include <sstream>

namespace Palaver {
namespace Server {

namespace {

const char* const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

std::string trim(const std::string& text)
{
	return Poco::trim(text);
}

const char* reasonPhrase(int status)
{
	switch (status)
	{
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 426: return "Upgrade Required";
	case 431: return "Request Header Fields Too Large";
	case 503: return "Service Unavailable";
	default: return "Error";
	}
}

HandshakeResult refuse(int status, const std::string& code, const std::string& message)
{
	HandshakeResult result;
	result.status = status;
	result.code = code;
	result.message = message;
	return result;
}

std::string cookieValue(const Poco::Net::NameValueCollection& headers, const std::string& name)
{
	// Several Cookie headers are possible (HTTP/2 proxies split them).
	for (auto it = headers.find("Cookie"); it != headers.end() && Poco::icompare(it->first, "Cookie") == 0; ++it)
	{
		const std::string& value = it->second;
		std::size_t pos = 0;
		while (pos <= value.size())
		{
			std::size_t end = value.find(';', pos);
			if (end == std::string::npos) end = value.size();
			std::string pair = trim(value.substr(pos, end - pos));
			std::size_t eq = pair.find('=');
			if (eq != std::string::npos && trim(pair.substr(0, eq)) == name)
			{
				std::string v = trim(pair.substr(eq + 1));
				if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
				return v;
			}
			pos = end + 1;
		}
	}
	return "";
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

Handshake::ParseState Handshake::parse(const std::string& buffer, HttpHead& head, std::size_t& headSize, std::size_t maxHead)
{
	std::size_t end = buffer.find("\r\n\r\n");
	if (end == std::string::npos)
		return buffer.size() >= maxHead ? ParseState::TooLarge : ParseState::Incomplete;
	if (end + 4 > maxHead) return ParseState::TooLarge;
	headSize = end + 4;

	std::size_t lineEnd = buffer.find("\r\n");
	const std::string requestLine = buffer.substr(0, lineEnd);
	std::size_t sp1 = requestLine.find(' ');
	std::size_t sp2 = sp1 == std::string::npos ? std::string::npos : requestLine.find(' ', sp1 + 1);
	if (sp1 == std::string::npos || sp2 == std::string::npos || requestLine.find(' ', sp2 + 1) != std::string::npos)
		return ParseState::Malformed;
	head.method = requestLine.substr(0, sp1);
	head.target = requestLine.substr(sp1 + 1, sp2 - sp1 - 1);
	head.version = requestLine.substr(sp2 + 1);
	if (head.method.empty() || head.target.empty() || head.version.compare(0, 5, "HTTP/") != 0)
		return ParseState::Malformed;

	std::size_t pos = lineEnd + 2;
	int count = 0;
	while (pos < end + 2)
	{
		std::size_t next = buffer.find("\r\n", pos);
		const std::string line = buffer.substr(pos, next - pos);
		pos = next + 2;
		if (line.empty()) break;
		if (line[0] == ' ' || line[0] == '\t') return ParseState::Malformed;  // obsolete folding
		std::size_t colon = line.find(':');
		if (colon == std::string::npos || colon == 0) return ParseState::Malformed;
		std::string name = line.substr(0, colon);
		if (name.find_first_of(" \t") != std::string::npos) return ParseState::Malformed;
		if (++count > 100) return ParseState::TooLarge;
		head.headers.add(name, trim(line.substr(colon + 1)));
	}
	return ParseState::Complete;
}

HandshakeResult Handshake::check(const std::string& method, const std::string& target,
	const Poco::Net::NameValueCollection& headers, const OriginPolicy& origins)
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

void Handshake::readCredentials(const std::string& target, const Poco::Net::NameValueCollection& headers,
	const OriginPolicy& origins, HandshakeResult& result)
{
	try
	{
		Poco::URI uri(target);
		for (const auto& parameter: uri.getQueryParameters())
		{
			if (parameter.first == "token")
			{
				result.token = parameter.second;
			}
			else if (parameter.first == "ticket")
			{
				result.ticket = parameter.second;
			}
			else if (parameter.first == "since")
			{
				Poco::Int64 since = 0;
				if (!Poco::NumberParser::tryParse64(parameter.second, since) || since < 0)
				{
					result = refuse(400, "bad_request", "since must be a message id");
					return;
				}
				result.hasSince = true;
				result.since = since;
			}
		}
	}
	catch (Poco::Exception&)
	{
		result = refuse(400, "bad_request", "malformed request target");
		return;
	}
	if (result.token.empty())
	{
		const std::string authorization = headers.get("Authorization", "");
		if (authorization.size() > 7 && Poco::icompare(authorization.substr(0, 7), "Bearer ") == 0)
			result.token = trim(authorization.substr(7));
	}
	result.cookieToken = cookieValue(headers, SessionCookie::name(origins));
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

std::string Handshake::refusal(int status, const std::string& code, const std::string& message)
{
	Poco::JSON::Object::Ptr error = new Poco::JSON::Object;
	error->set("code", code);
	error->set("message", message);
	Poco::JSON::Object body;
	body.set("error", error);
	std::ostringstream json;
	body.stringify(json);
	const std::string text = json.str();
	std::string answer = "HTTP/1.1 " + std::to_string(status) + " " + reasonPhrase(status) + "\r\n"
		"Content-Type: application/json\r\n"
		"Content-Length: " + std::to_string(text.size()) + "\r\n"
		"Connection: close\r\n";
	if (status == 426) answer += "Sec-WebSocket-Version: 13\r\nUpgrade: websocket\r\n";
	if (status == 405) answer += "Allow: GET\r\n";
	return answer + "\r\n" + text;
}

} } // namespace Palaver::Server
