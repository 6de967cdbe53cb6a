#include "WsClient.h"
#include <Poco/Buffer.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Timestamp.h>

namespace Palaver {
namespace Testing {

WsClient::WsClient(Poco::UInt16 port, const std::string& path, const Poco::Net::NameValueCollection& headers):
	_session(new Poco::Net::HTTPClientSession("127.0.0.1", port))
{
	Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, path, Poco::Net::HTTPMessage::HTTP_1_1);
	for (const auto& header: headers) request.set(header.first, header.second);
	Poco::Net::HTTPResponse response;
	_socket.reset(new Poco::Net::WebSocket(*_session, request, response));
	_socket->setMaxPayloadSize(16 * 1024 * 1024);
}

void WsClient::sendText(const std::string& text)
{
	_socket->sendFrame(text.data(), static_cast<int>(text.size()), Poco::Net::WebSocket::FRAME_TEXT);
}

void WsClient::sendJson(const Poco::JSON::Object& json)
{
	std::ostringstream text;
	json.stringify(text);
	sendText(text.str());
}

void WsClient::sendBinary(const std::string& data)
{
	_socket->sendFrame(data.data(), static_cast<int>(data.size()), Poco::Net::WebSocket::FRAME_BINARY);
}

Poco::JSON::Object::Ptr WsClient::receiveJson(int timeoutMs)
{
	const Poco::Timestamp started;
	while (true)
	{
		const Poco::Timestamp::TimeDiff left = Poco::Timestamp::TimeDiff(timeoutMs) * 1000 - started.elapsed();
		if (left <= 0) throw Poco::TimeoutException("no frame from the server");
		_socket->setReceiveTimeout(Poco::Timespan(left));
		Poco::Buffer<char> buffer(0);
		int flags = 0;
		int n = 0;
		try
		{
			n = _socket->receiveFrame(buffer, flags);
		}
		catch (Poco::TimeoutException&)
		{
			throw;
		}
		const int opcode = flags & Poco::Net::WebSocket::FRAME_OP_BITMASK;
		if (n == 0 && flags == 0)
		{
			_closeCode = 0;
			throw Poco::IOException("the server closed the connection");
		}
		if (opcode == Poco::Net::WebSocket::FRAME_OP_CLOSE)
		{
			_closeCode = n >= 2 ? (static_cast<unsigned char>(buffer[0]) << 8) | static_cast<unsigned char>(buffer[1]) : 1005;
			throw Poco::IOException("the server closed the connection with " + std::to_string(_closeCode));
		}
		if (opcode == Poco::Net::WebSocket::FRAME_OP_PING)
		{
			_socket->sendFrame(buffer.begin(), n, Poco::Net::WebSocket::FRAME_FLAG_FIN | Poco::Net::WebSocket::FRAME_OP_PONG);
			continue;
		}
		if (opcode != Poco::Net::WebSocket::FRAME_OP_TEXT) continue;
		Poco::JSON::Parser parser;
		return parser.parse(std::string(buffer.begin(), static_cast<std::size_t>(n))).extract<Poco::JSON::Object::Ptr>();
	}
}

Poco::JSON::Object::Ptr WsClient::receiveType(const std::string& type, int timeoutMs)
{
	const Poco::Timestamp started;
	while (true)
	{
		const int left = timeoutMs - static_cast<int>(started.elapsed() / 1000);
		auto frame = receiveJson(left > 0 ? left : 1);
		if (frame->optValue<std::string>("type", "") == type) return frame;
	}
}

bool WsClient::silentFor(int timeoutMs)
{
	try
	{
		receiveJson(timeoutMs);
		return false;
	}
	catch (Poco::TimeoutException&)
	{
		return true;
	}
}

int WsClient::waitForClose(int timeoutMs)
{
	const Poco::Timestamp started;
	try
	{
		while (true)
		{
			const int left = timeoutMs - static_cast<int>(started.elapsed() / 1000);
			receiveJson(left > 0 ? left : 1);
		}
	}
	catch (Poco::TimeoutException&)
	{
		throw;
	}
	catch (Poco::Exception&)
	{
		return _closeCode;
	}
}

void WsClient::close()
{
	try
	{
		_socket->shutdown();
	}
	catch (Poco::Exception&)
	{
	}
	_socket->close();
}

} } // namespace Palaver::Testing
