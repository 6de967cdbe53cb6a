//
// WsTestSupport.h
//
// Helpers of the ws integration tests: a palaverd with auth, messages and ws,
// registered accounts, and a raw WebSocket client for what Poco's client
// will not send (unmasked frames) or will not do (never read).
//

#ifndef Palaver_Testing_WsTestSupport_INCLUDED
#define Palaver_Testing_WsTestSupport_INCLUDED

#include "HttpClient.h"
#include "TestServer.h"
#include "WsClient.h"
#include <Poco/Exception.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timestamp.h>
#include <cppunit/extensions/HelperMacros.h>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace Palaver {
namespace Testing {

/// stateDir: a state folder to use (kept afterwards); empty: a fresh temporary one.
inline std::unique_ptr<TestServer> startWsServer(const std::vector<std::string>& extra = {}, const std::string& stateDir = "")
{
	TestServer::Options options;
	options.stateDir = stateDir;
	options.arguments = {"--auth.enabled=true", "--messages.enabled=true", "--ws.enabled=true", "--contacts.enabled=false", "--web.enabled=false"};
	options.arguments.insert(options.arguments.end(), extra.begin(), extra.end());
	auto server = std::make_unique<TestServer>(options);
	server->start();
	return server;
}

struct Account
{
	Poco::Int64 id = 0;
	std::string name;
	std::string token;
};

/// Registers a user with a name unique in this process.
inline Account registerAccount(TestServer& server, const std::string& prefix)
{
	static std::atomic<int> counter{0};
	HttpClient http(server.httpPort());
	Account account;
	account.name = prefix + std::to_string(++counter);
	HttpReply reply = http.registerUser(account.name);
	CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 201, reply.status);
	auto json = reply.json();
	account.token = json->getValue<std::string>("token");
	account.id = json->getObject("user")->getValue<Poco::Int64>("id");
	return account;
}

/// A connection on the ws port authenticated by ?token, after its ready frame.
inline std::unique_ptr<WsClient> connectAs(TestServer& server, const Account& account, const std::string& extraQuery = "")
{
	auto client = std::make_unique<WsClient>(server.wsPort(), "/?token=" + HttpClient::encode(account.token) + extraQuery);
	auto ready = client->receiveType("ready");
	CPPUNIT_ASSERT_EQUAL(account.id, ready->getValue<Poco::Int64>("userId"));
	return client;
}

/// Posts a message over HTTP as from; returns its id.
inline Poco::Int64 postMessage(TestServer& server, const Account& from, Poco::Int64 to, const std::string& text)
{
	HttpClient http(server.httpPort());
	http.setBearer(from.token);
	Poco::JSON::Object body;
	body.set("text", text);
	HttpReply reply = http.postJson("/post/touser/" + std::to_string(to), body);
	CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 201, reply.status);
	return reply.json()->getValue<Poco::Int64>("id");
}

/// Receives presence frames until one says userId is online (or not);
/// false if none does within timeoutMs.
inline bool waitPresence(WsClient& client, Poco::Int64 userId, bool online, int timeoutMs = 5000)
{
	const Poco::Timestamp started;
	try
	{
		while (started.elapsed() / 1000 < timeoutMs)
		{
			auto frame = client.receiveType("presence", timeoutMs);
			if (frame->getValue<Poco::Int64>("userId") == userId && frame->getValue<bool>("online") == online) return true;
		}
	}
	catch (Poco::TimeoutException&)
	{
	}
	return false;
}

/// A WebSocket client on a bare socket.
class RawWs
{
public:
	struct Frame
	{
		int opcode = -1;     /// -1: the connection ended
		std::string payload;
		int closeCode() const
		{
			if (opcode != 8 || payload.size() < 2) return 0;
			return (static_cast<unsigned char>(payload[0]) << 8) | static_cast<unsigned char>(payload[1]);
		}
	};

	/// Connects; receiveBuffer > 0 shrinks SO_RCVBUF before connecting.
	explicit RawWs(Poco::UInt16 port, int receiveBuffer = 0)
	{
		if (receiveBuffer > 0)
		{
			_socket = Poco::Net::StreamSocket(Poco::Net::SocketAddress::IPv4);
			_socket.setReceiveBufferSize(receiveBuffer);
		}
		_socket.connect(Poco::Net::SocketAddress("127.0.0.1", port));
		_socket.setNoDelay(true);
	}

	/// Sends an upgrade request; returns the status line's code.
	int handshake(const std::string& target, const std::string& extraHeaders = "")
	{
		sendRaw("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
			"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n");
		return readStatus();
	}

	/// Reads an HTTP answer's head; returns its status code.
	int readStatus()
	{
		const Poco::Timestamp started;
		std::size_t end;
		while ((end = _buffer.find("\r\n\r\n")) == std::string::npos)
		{
			if (started.elapsed() > 5000000 || !fill(5000)) throw Poco::TimeoutException("no handshake answer");
		}
		_head = _buffer.substr(0, end + 4);
		_buffer.erase(0, end + 4);
		return std::stoi(_head.substr(9, 3));
	}

	const std::string& head() const { return _head; }

	void sendRaw(const std::string& bytes)
	{
		std::size_t sent = 0;
		while (sent < bytes.size())
			sent += static_cast<std::size_t>(_socket.sendBytes(bytes.data() + sent, static_cast<int>(bytes.size() - sent)));
	}

	/// A frame as a client sends it (masked unless mask is false).
	static std::string frame(int opcode, const std::string& payload, bool fin = true, bool mask = true)
	{
		std::string out;
		out.push_back(static_cast<char>((fin ? 0x80 : 0) | opcode));
		const char maskBit = mask ? static_cast<char>(0x80) : 0;
		if (payload.size() < 126)
		{
			out.push_back(static_cast<char>(maskBit | static_cast<char>(payload.size())));
		}
		else if (payload.size() <= 0xFFFF)
		{
			out.push_back(static_cast<char>(maskBit | 126));
			out.push_back(static_cast<char>(payload.size() >> 8));
			out.push_back(static_cast<char>(payload.size() & 0xFF));
		}
		else
		{
			out.push_back(static_cast<char>(maskBit | 127));
			for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((static_cast<std::uint64_t>(payload.size()) >> shift) & 0xFF));
		}
		const unsigned char key[4] = {0x12, 0x34, 0x56, 0x78};
		if (mask) out.append(reinterpret_cast<const char*>(key), 4);
		for (std::size_t i = 0; i < payload.size(); ++i)
			out.push_back(mask ? static_cast<char>(payload[i] ^ key[i % 4]) : payload[i]);
		return out;
	}

	void sendText(const std::string& text, bool mask = true) { sendRaw(frame(1, text, true, mask)); }

	/// The next frame, waiting at most timeoutMs (throws Poco::TimeoutException).
	Frame receive(int timeoutMs = 5000)
	{
		const Poco::Timestamp started;
		for (;;)
		{
			Frame result;
			if (parse(result)) return result;
			const int left = timeoutMs - static_cast<int>(started.elapsed() / 1000);
			if (left <= 0) throw Poco::TimeoutException("no frame");
			if (!fill(left))
			{
				if (_ended) return Frame();
			}
		}
	}

	/// Reads frames until a close frame (its code) or the end of the stream (0).
	int waitForClose(int timeoutMs = 5000)
	{
		const Poco::Timestamp started;
		for (;;)
		{
			const int left = timeoutMs - static_cast<int>(started.elapsed() / 1000);
			Frame f = receive(left > 0 ? left : 1);
			if (f.opcode == 8) return f.closeCode();
			if (f.opcode == -1) return 0;
		}
	}

	Poco::Net::StreamSocket& socket() { return _socket; }

private:
	bool fill(int timeoutMs)
	{
		if (_ended) return false;
		if (!_socket.poll(Poco::Timespan(static_cast<long>(timeoutMs) * 1000), Poco::Net::Socket::SELECT_READ)) return false;
		char data[65536];
		int n = 0;
		try
		{
			n = _socket.receiveBytes(data, sizeof(data));
		}
		catch (Poco::Exception&)
		{
			n = 0;
		}
		if (n <= 0)
		{
			_ended = true;
			return false;
		}
		_buffer.append(data, static_cast<std::size_t>(n));
		return true;
	}

	bool parse(Frame& frame)
	{
		if (_buffer.size() < 2) return false;
		const auto* b = reinterpret_cast<const unsigned char*>(_buffer.data());
		std::uint64_t length = b[1] & 0x7F;
		std::size_t header = 2;
		if (length == 126)
		{
			if (_buffer.size() < 4) return false;
			length = (b[2] << 8) | b[3];
			header = 4;
		}
		else if (length == 127)
		{
			if (_buffer.size() < 10) return false;
			length = 0;
			for (int i = 2; i < 10; ++i) length = (length << 8) | b[i];
			header = 10;
		}
		CPPUNIT_ASSERT_MESSAGE("server frames are unmasked", (b[1] & 0x80) == 0);
		if (_buffer.size() < header + length) return false;
		frame.opcode = b[0] & 0x0F;
		frame.payload = _buffer.substr(header, static_cast<std::size_t>(length));
		_buffer.erase(0, header + static_cast<std::size_t>(length));
		return true;
	}

	Poco::Net::StreamSocket _socket;
	std::string _buffer;
	std::string _head;
	bool _ended = false;
};

} } // namespace Palaver::Testing

#endif
