//
// WsConn.cpp
//

#include "WsConn.h"
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

namespace Palaver {
namespace Bench {

namespace {

// The fixed Sec-WebSocket-Key of RFC 6455's example; the bench does not check
// Sec-WebSocket-Accept (the server is under test, not the other way round).
const char* const kKey = "dGhlIHNhbXBsZSBub25jZQ==";

}

WsConn::WsConn(Loop& loop, const Target& target, std::size_t index, const std::string& token, WsHandler& handler,
	const std::string& path):
	index(index), _loop(loop), _handler(handler), _maskState(static_cast<std::uint32_t>(index * 2654435761u + 1))
{
	_fd = connectTo(target, index);
	_out = "GET " + path + "?token=" + token + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
		"Sec-WebSocket-Key: " + std::string(kKey) + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
	_loop.add(*this, EPOLLIN | EPOLLOUT);
}

WsConn::~WsConn()
{
	_loop.remove(*this);
}

void WsConn::encode(std::string& out, std::uint8_t opcode, const char* data, std::size_t size, std::uint32_t mask)
{
	out.push_back(static_cast<char>(0x80 | opcode));
	if (size < 126) out.push_back(static_cast<char>(0x80 | size));
	else if (size < 65536)
	{
		out.push_back(static_cast<char>(0x80 | 126));
		out.push_back(static_cast<char>(size >> 8));
		out.push_back(static_cast<char>(size & 0xff));
	}
	else
	{
		out.push_back(static_cast<char>(0x80 | 127));
		for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((static_cast<std::uint64_t>(size) >> shift) & 0xff));
	}
	const unsigned char key[4] = {static_cast<unsigned char>(mask >> 24), static_cast<unsigned char>(mask >> 16),
		static_cast<unsigned char>(mask >> 8), static_cast<unsigned char>(mask)};
	out.append(reinterpret_cast<const char*>(key), 4);
	const std::size_t start = out.size();
	out.append(data, size);
	for (std::size_t i = 0; i < size; ++i) out[start + i] = static_cast<char>(out[start + i] ^ key[i & 3]);
}

void WsConn::sendText(const char* data, std::size_t size)
{
	queue(0x1, data, size);
}

void WsConn::queue(std::uint8_t opcode, const char* data, std::size_t size)
{
	if (_state == State::Closed) return;
	// xorshift32: masks need not be secret here, only not constant.
	_maskState ^= _maskState << 13;
	_maskState ^= _maskState >> 17;
	_maskState ^= _maskState << 5;
	encode(_out, opcode, data, size, _maskState);
	if (_state == State::Open) flush();
}

void WsConn::flush()
{
	while (_outOffset < _out.size())
	{
		const ssize_t n = ::send(_fd, _out.data() + _outOffset, _out.size() - _outOffset, MSG_NOSIGNAL);
		if (n < 0)
		{
			if (errno == EAGAIN) break;
			close(std::string("send: ") + std::strerror(errno));
			return;
		}
		_outOffset += static_cast<std::size_t>(n);
	}
	if (_outOffset == _out.size())
	{
		_out.clear();
		_outOffset = 0;
	}
	const bool want = _outOffset < _out.size();
	if (want != _wantWrite)
	{
		_wantWrite = want;
		_loop.modify(*this, want ? (EPOLLIN | EPOLLOUT) : EPOLLIN);
	}
}

void WsConn::onEvent(std::uint32_t events)
{
	if (_state == State::Connecting)
	{
		int error = 0;
		socklen_t length = sizeof(error);
		::getsockopt(_fd, SOL_SOCKET, SO_ERROR, &error, &length);
		if (error != 0)
		{
			close(std::string("connect: ") + std::strerror(error));
			return;
		}
		if (!(events & EPOLLOUT)) return;
		_state = State::Handshake;
	}
	if (events & EPOLLOUT) flush();
	if (_state != State::Closed && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) readAll();
}

void WsConn::readAll()
{
	char buffer[65536];
	for (;;)
	{
		const ssize_t n = ::recv(_fd, buffer, sizeof(buffer), 0);
		if (n > 0)
		{
			_in.append(buffer, static_cast<std::size_t>(n));
			if (static_cast<std::size_t>(n) < sizeof(buffer)) break;
			continue;
		}
		if (n < 0 && errno == EAGAIN) break;
		close(n == 0 ? "closed by the server" : std::string("recv: ") + std::strerror(errno));
		return;
	}
	if (_state == State::Handshake) parseHandshake();
	if (_state == State::Open) parseFrames();
}

void WsConn::parseHandshake()
{
	const auto end = _in.find("\r\n\r\n");
	if (end == std::string::npos) return;
	if (_in.compare(0, 12, "HTTP/1.1 101") != 0)
	{
		close("handshake refused: " + _in.substr(0, _in.find("\r\n")));
		return;
	}
	_inOffset = end + 4;
	_state = State::Open;
	_handler.onOpen(*this);
}

void WsConn::parseFrames()
{
	for (;;)
	{
		const std::size_t available = _in.size() - _inOffset;
		if (available < 2) break;
		const auto* p = reinterpret_cast<const unsigned char*>(_in.data() + _inOffset);
		const bool fin = p[0] & 0x80;
		const std::uint8_t opcode = p[0] & 0x0f;
		const bool masked = p[1] & 0x80;
		std::uint64_t size = p[1] & 0x7f;
		std::size_t header = 2;
		if (size == 126)
		{
			if (available < 4) break;
			size = (static_cast<std::uint64_t>(p[2]) << 8) | p[3];
			header = 4;
		}
		else if (size == 127)
		{
			if (available < 10) break;
			size = 0;
			for (int i = 0; i < 8; ++i) size = (size << 8) | p[2 + i];
			header = 10;
		}
		const std::size_t maskAt = header;
		if (masked) header += 4;
		if (available < header + size) break;
		char* payload = &_in[_inOffset + header];
		if (masked)
			for (std::uint64_t i = 0; i < size; ++i) payload[i] = static_cast<char>(payload[i] ^ p[maskAt + (i & 3)]);
		_inOffset += header + size;
		if (opcode == 0x1 || opcode == 0x0)
		{
			if (fin && _message.empty()) _handler.onText(*this, payload, size);
			else
			{
				_message.append(payload, size);
				if (fin)
				{
					_handler.onText(*this, _message.data(), _message.size());
					_message.clear();
				}
			}
		}
		else if (opcode == 0x9) queue(0xA, payload, size);
		else if (opcode == 0x8)
		{
			const unsigned code = size >= 2 ? (static_cast<unsigned char>(payload[0]) << 8 | static_cast<unsigned char>(payload[1])) : 1005;
			const std::string reason = size > 2 ? std::string(payload + 2, size - 2) : std::string();
			queue(0x8, payload, size >= 2 ? 2 : 0);
			close("close " + std::to_string(code) + " " + reason);
			return;
		}
		if (_state == State::Closed) return;
	}
	if (_inOffset == _in.size())
	{
		_in.clear();
		_inOffset = 0;
	}
	else if (_inOffset > 65536)
	{
		_in.erase(0, _inOffset);
		_inOffset = 0;
	}
}

void WsConn::close(const std::string& why)
{
	if (_state == State::Closed) return;
	if (_state == State::Open && _outOffset < _out.size())
		::send(_fd, _out.data() + _outOffset, _out.size() - _outOffset, MSG_NOSIGNAL | MSG_DONTWAIT);
	_state = State::Closed;
	_loop.remove(*this);
	::close(_fd);
	_fd = -1;
	_out.clear();
	_in.clear();
	_handler.onClosed(*this, why);
}

} } // namespace Palaver::Bench
