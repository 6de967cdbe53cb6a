//
// WebSocketHandler.h
//

#ifndef Palaver_WebSocketHandler_INCLUDED
#define Palaver_WebSocketHandler_INCLUDED

#include "palaver/WebSocket.h"
#include <cstdint>
#include <string>

namespace Palaver {

class Request;

/// What a plugin implements to serve a WebSocket endpoint (see
/// WebSocketEndpoint and docs/PLUGINS.md, "WebSocket endpoints"). The core
/// does the rest: the handshake (RFC 6455, Host names and Origin through the
/// OriginPolicy), framing, pings, limits, and closing.
///
/// Threads: accept() runs on one of the core's HTTP workers, several at once
/// (a database read is fine there). onOpen(), onText() and onClose() run on
/// the connection's I/O thread, one at a time for a connection (but several
/// connections' callbacks at once, on different I/O threads): they must not
/// block (no database, no locks held long); hand slow work to a worker
/// pool and come back with WebSocket::post(). onResume() runs on the
/// connection's I/O thread as well (after a run-time reload).
class WebSocketHandler
{
public:
	virtual ~WebSocketHandler() = default;

	/// A checked upgrade request: accept it by returning (set the socket's
	/// user, session and context here if they are known), refuse it by
	/// throwing HttpError (the client gets that status and JSON error).
	/// Frames sent from here are dropped: send in onOpen().
	virtual void accept(Request& request, WebSocket& socket) = 0;

	/// The 101 answer is on its way; frames sent from now on follow it.
	virtual void onOpen(const WebSocket::Ptr& socket) {}

	/// A complete text message (UTF-8, at most the endpoint's maxMessage).
	virtual void onText(const WebSocket::Ptr& socket, const std::string& text) = 0;

	/// The connection has ended, exactly once for every onOpen(): code is
	/// the peer's close code, ours, or 1006 (no close frame: the connection
	/// broke, timed out or the server stopped abruptly).
	virtual void onClose(const WebSocket::Ptr& socket, std::uint16_t code) {}

	/// A connection that a previous version of the plugin served, handed to
	/// this version after a run-time reload (palaverctl plugins reload), in
	/// place of onOpen(): once for each connection still open, after the
	/// plugin's start(). Its userId() and session() are what setUser() left;
	/// its context is empty (the previous version's is gone): rebuild it here
	/// from those and from what restoreState() received. The text messages
	/// that came during the reload follow, in order, through onText(); every
	/// onResume() is matched by one onClose(). (API 4.1)
	virtual void onResume(const WebSocket::Ptr& socket) { onOpen(socket); }
};

} // namespace Palaver

#endif
