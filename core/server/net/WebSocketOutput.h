//
// WebSocketOutput.h
//

#ifndef Palaver_Server_WebSocketOutput_INCLUDED
#define Palaver_Server_WebSocketOutput_INCLUDED

#include "palaver/WebSocketFrame.h"
#include <cstddef>
#include <vector>

namespace Palaver {
namespace Server {

/// The frames queued on one connection, written with writev (up to 64 at a
/// time) on a non-blocking socket. Shared frames are kept, not copied. For
/// one thread (the connection's loop).
class WebSocketOutput
{
public:
	enum class Result { Drained, Blocked, Failed };

	void push(WebSocketFrame::Ptr frame);

	/// Writes what the socket takes now. Drained: everything is written (and
	/// the queue's memory given back); Blocked: the rest waits for EPOLLOUT;
	/// Failed: the socket is broken.
	Result write(int fd);

	/// A slow reader: keeps only a frame already half written (the peer must
	/// get it whole before a close frame).
	void dropUnstarted();

	/// Unsent bytes.
	std::size_t pending() const { return _pending; }

	bool empty() const { return _head >= _frames.size(); }

private:
	std::vector<WebSocketFrame::Ptr> _frames;   /// written from _head on
	std::size_t _head = 0;
	std::size_t _headOffset = 0;                /// bytes of _frames[_head] already written
	std::size_t _pending = 0;
};

} } // namespace Palaver::Server

#endif
