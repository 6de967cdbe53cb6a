//
// Connection.h
//
// The state of one client connection. Owned and touched only by its I/O
// thread. Kept small: an idle connection has empty buffers and no heap
// allocation besides this object (and the shared User).
//

#ifndef Palaver_Ws_Connection_INCLUDED
#define Palaver_Ws_Connection_INCLUDED

#include "WebSocketDecoder.h"
#include "WebSocketHandshake.h"
#include "WebSocketOutput.h"
#include "palaver/User.h"
#include <Poco/Types.h>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace Palaver {
namespace Ws {

// The core's WebSocket codec and handshake (core/server/net), compiled into
// this plugin until it runs on the core's connection layer.
using Server::CloseCode;
using Server::FrameDecoder;
using Server::FrameEvent;
using Server::Handshake;
using Server::HandshakeResult;
using Server::HttpHead;
using Server::Opcode;

using FrameBytes = WebSocketFrame::Ptr;

struct Connection
{
	enum class State: std::uint8_t
	{
		Handshake,       /// reading the HTTP upgrade request (ws port)
		Open,            /// upgraded, waiting for an auth frame
		Authenticating,  /// a token look-up is under way; input paused
		Ready,           /// authenticated, registered for delivery
		Closing,         /// close frame (or refusal) sent; waiting for the peer or a flush
		Dead             /// to be destroyed at the end of the loop iteration
	};

	Connection(int fd, std::uint64_t id, std::size_t maxFrame): fd(fd), id(id), decoder(maxFrame) {}

	int fd;
	std::uint64_t id;
	State state = State::Handshake;
	std::uint32_t events = 0;        /// epoll interest registered now
	bool upgraded = false;           /// 101 sent: frames from here on
	bool registered = false;         /// in the Hub
	bool replaying = false;          /// ?since replay under way: live chatmsgs are held
	bool closeAfterFlush = false;    /// destroy once the output is written
	bool shutdownAfterFlush = false; /// half-close once the output is written (then drain until EOF)
	bool authFallback = false;       /// a failed look-up of this token is not fatal (cookie)
	std::uint8_t pingsOutstanding = 0;
	bool hasSince = false;
	Poco::Int64 since = 0;
	Poco::Int64 floor = 0;           /// live chatmsgs with an id up to this were replayed or seen: dropped
	Poco::Int64 userId = 0;
	std::shared_ptr<const User> user;

	std::string in;                  /// unconsumed input: partial head or partial frame
	FrameDecoder decoder;
	Server::WebSocketOutput output;  /// pending output

	/// Live chatmsgs that arrived during a replay: (message id, frame).
	std::unique_ptr<std::vector<std::pair<Poco::Int64, FrameBytes>>> held;
};

} } // namespace Palaver::Ws

#endif
