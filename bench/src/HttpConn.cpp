//
// HttpConn.cpp
//

#include "HttpConn.h"
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <strings.h>

namespace Palaver {
namespace Bench {

bool HttpConn::quickAck = false;

HttpConn::HttpConn(Loop& loop, const Target& target): _loop(loop), _target(target)
{
}

HttpConn::~HttpConn()
{
	_loop.remove(*this);
}

std::string HttpConn::build(const std::string& method, const std::string& path, const std::string& token,
	const std::string& contentType, const std::string& body)
{
	std::string r = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
	if (!token.empty()) r += "Authorization: Bearer " + token + "\r\n";
	if (!contentType.empty()) r += "Content-Type: " + contentType + "\r\n";
	if (!body.empty() || method == "POST") r += "Content-Length: " + std::to_string(body.size()) + "\r\n";
	r += "\r\n";
	r += body;
	return r;
}

void HttpConn::request(std::string raw, Callback callback)
{
	_queue.emplace_back(std::move(raw), std::move(callback));
	if (!_inFlight) startNext();
}

void HttpConn::open()
{
	_fd = connectTo(_target, 0);
	_connected = false;
	_events = EPOLLIN | EPOLLOUT;
	_loop.add(*this, _events);
}

void HttpConn::watch(std::uint32_t events)
{
	if (events == _events) return;
	_events = events;
	_loop.modify(*this, events);
}

void HttpConn::startNext()
{
	if (_queue.empty()) return;
	if (_fd < 0) open();
	_inFlight = true;
	_out = _queue.front().first;
	_outOffset = 0;
	_in.clear();
	if (_connected) writeOut();
}

void HttpConn::writeOut()
{
	while (_outOffset < _out.size())
	{
		const ssize_t n = ::send(_fd, _out.data() + _outOffset, _out.size() - _outOffset, MSG_NOSIGNAL);
		if (n < 0)
		{
			if (errno == EAGAIN) break;
			fail();
			return;
		}
		_outOffset += static_cast<std::size_t>(n);
	}
	watch(_outOffset < _out.size() ? (EPOLLIN | EPOLLOUT) : EPOLLIN);
}

void HttpConn::onEvent(std::uint32_t events)
{
	if (!_connected && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
	{
		int error = 0;
		socklen_t length = sizeof(error);
		::getsockopt(_fd, SOL_SOCKET, SO_ERROR, &error, &length);
		if (error != 0)
		{
			fail();
			return;
		}
		_connected = true;
		if (_inFlight) writeOut();
		else watch(EPOLLIN);
	}
	if (_connected && (events & EPOLLOUT) && _inFlight) writeOut();
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
	{
		char buffer[65536];
		for (;;)
		{
			const ssize_t n = ::recv(_fd, buffer, sizeof(buffer), 0);
			if (n > 0)
			{
				_in.append(buffer, static_cast<std::size_t>(n));
				if (quickAck)
				{
					const int one = 1;
					::setsockopt(_fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
				}
				// A short read took what there was: epoll (level-triggered)
				// reports the rest, or the end, without a recv that finds nothing.
				if (static_cast<std::size_t>(n) < sizeof(buffer)) break;
				continue;
			}
			if (n < 0 && errno == EAGAIN) break;
			// EOF or error: the socket is done; a request in flight fails
			// unless its whole answer came before the end.
			disconnect();
			if (_inFlight && !parse()) fail();
			else if (!_inFlight) startNext();
			return;
		}
		if (_inFlight) parse();
	}
}

bool HttpConn::parse()
{
	const auto headEnd = _in.find("\r\n\r\n");
	if (headEnd == std::string::npos) return false;
	HttpResponse response;
	response.status = std::atoi(_in.c_str() + _in.find(' ') + 1);
	std::size_t length = 0;
	bool chunked = false;
	_closeAfter = false;
	for (std::size_t line = _in.find("\r\n") + 2; line < headEnd;)
	{
		const auto end = _in.find("\r\n", line);
		const std::string header = _in.substr(line, end - line);
		if (::strncasecmp(header.c_str(), "Content-Length:", 15) == 0) length = std::strtoul(header.c_str() + 15, nullptr, 10);
		if (::strncasecmp(header.c_str(), "Transfer-Encoding:", 18) == 0 && header.find("chunked") != std::string::npos) chunked = true;
		// Poco writes "Connection: Close": header values compare case-insensitively.
		if (::strncasecmp(header.c_str(), "Connection:", 11) == 0 && ::strcasestr(header.c_str() + 11, "close") != nullptr) _closeAfter = true;
		line = end + 2;
	}
	std::size_t consumed = headEnd + 4;
	if (chunked)
	{
		for (;;)
		{
			const auto sizeEnd = _in.find("\r\n", consumed);
			if (sizeEnd == std::string::npos) return false;
			const std::size_t chunk = std::strtoul(_in.c_str() + consumed, nullptr, 16);
			if (_in.size() < sizeEnd + 2 + chunk + 2) return false;
			response.body.append(_in, sizeEnd + 2, chunk);
			consumed = sizeEnd + 2 + chunk + 2;
			if (chunk == 0) break;
		}
	}
	else
	{
		if (_in.size() < consumed + length) return false;
		response.body = _in.substr(consumed, length);
	}
	Callback callback = std::move(_queue.front().second);
	_queue.pop_front();
	_inFlight = false;
	_in.clear();
	if (_closeAfter) disconnect();
	callback(response);
	if (!_inFlight) startNext();
	return true;
}

void HttpConn::disconnect()
{
	if (_fd < 0) return;
	_loop.remove(*this);
	::close(_fd);
	_fd = -1;
	_connected = false;
}

void HttpConn::fail()
{
	disconnect();
	_inFlight = false;
	Callback callback = std::move(_queue.front().second);
	_queue.pop_front();
	callback(HttpResponse{});
	if (!_inFlight) startNext();
}

std::string jsonField(const std::string& json, const std::string& key, std::size_t from)
{
	const auto at = json.find("\"" + key + "\"", from);
	if (at == std::string::npos) return std::string();
	auto p = json.find(':', at + key.size() + 2);
	if (p == std::string::npos) return std::string();
	++p;
	while (p < json.size() && json[p] == ' ') ++p;
	if (p < json.size() && json[p] == '"')
	{
		const auto end = json.find('"', p + 1);
		return end == std::string::npos ? std::string() : json.substr(p + 1, end - p - 1);
	}
	auto end = p;
	while (end < json.size() && json[end] != ',' && json[end] != '}' && json[end] != ' ') ++end;
	return json.substr(p, end - p);
}

} } // namespace Palaver::Bench
