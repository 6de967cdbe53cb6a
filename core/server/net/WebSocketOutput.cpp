#include "WebSocketOutput.h"
#include <cerrno>
#include <sys/socket.h>
#include <sys/uio.h>

namespace Palaver {
namespace Server {

namespace {

constexpr int MAX_IOV = 64;
constexpr std::size_t KEPT_CAPACITY = 4;

} // namespace

void WebSocketOutput::push(WebSocketFrame::Ptr frame)
{
	_pending += frame->size();
	_frames.push_back(std::move(frame));
}

WebSocketOutput::Result WebSocketOutput::write(int fd)
{
	while (_head < _frames.size())
	{
		iovec iov[MAX_IOV];
		int count = 0;
		for (std::size_t i = _head; i < _frames.size() && count < MAX_IOV; ++i, ++count)
		{
			const std::size_t offset = i == _head ? _headOffset : 0;
			const std::string& bytes = _frames[i]->bytes();
			iov[count].iov_base = const_cast<char*>(bytes.data() + offset);
			iov[count].iov_len = bytes.size() - offset;
		}
		ssize_t n;
		if (count == 1)
		{
			// The common case (one frame of a fan-out): send() spares the
			// kernel the copy and check of an iovec array.
			n = ::send(fd, iov[0].iov_base, iov[0].iov_len, MSG_NOSIGNAL | MSG_DONTWAIT);
		}
		else
		{
			msghdr message{};
			message.msg_iov = iov;
			message.msg_iovlen = static_cast<std::size_t>(count);
			n = ::sendmsg(fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
		}
		if (n < 0)
		{
			if (errno == EINTR) continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) break;
			return Result::Failed;
		}
		std::size_t written = static_cast<std::size_t>(n);
		_pending -= written;
		while (written > 0)
		{
			const std::size_t left = _frames[_head]->size() - _headOffset;
			if (written < left)
			{
				_headOffset += written;
				break;
			}
			written -= left;
			_frames[_head].reset();
			++_head;
			_headOffset = 0;
		}
	}
	if (_head >= _frames.size())
	{
		// A few entries are kept, so that the next frame (one of a fan-out)
		// costs no allocation; a backlog's memory is given back.
		if (_frames.capacity() > KEPT_CAPACITY) std::vector<WebSocketFrame::Ptr>().swap(_frames);
		else _frames.clear();
		_head = 0;
		return Result::Drained;
	}
	if (_head > 32 && _head * 2 > _frames.size())
	{
		_frames.erase(_frames.begin(), _frames.begin() + static_cast<std::ptrdiff_t>(_head));
		_head = 0;
	}
	return Result::Blocked;
}

void WebSocketOutput::dropUnstarted()
{
	std::vector<WebSocketFrame::Ptr> keep;
	_pending = 0;
	if (_head < _frames.size() && _headOffset > 0)
	{
		_pending = _frames[_head]->size() - _headOffset;
		keep.push_back(std::move(_frames[_head]));
	}
	else
	{
		_headOffset = 0;
	}
	_frames.swap(keep);
	_head = 0;
}

} } // namespace Palaver::Server
