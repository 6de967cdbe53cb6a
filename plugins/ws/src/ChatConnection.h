//
// ChatConnection.h
//
// The chat protocol's state of one WebSocket connection: the handler's
// context of the core's WebSocket handle (WebSocket::setContext).
//

#ifndef Palaver_Ws_ChatConnection_INCLUDED
#define Palaver_Ws_ChatConnection_INCLUDED

#include "palaver/User.h"
#include "palaver/WebSocket.h"
#include <Poco/Types.h>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace Palaver {
namespace Ws {

/// Threads: filled in by ChatHandler::accept() (an HTTP worker), then
/// touched only on the connection's I/O thread (the handler's callbacks and
/// post()ed tasks), except replaying and floor, which the Hub reads on any
/// thread to decide whether a live frame can be sent at once.
struct ChatConnection
{
	enum class State: std::uint8_t
	{
		Refused,         /// its ?token or ?ticket was invalid: closed with 1008 once open
		Open,            /// waiting for an auth frame
		Authenticating,  /// an auth frame's token look-up is under way
		Ready            /// authenticated, registered in the Hub
	};

	/// Text messages kept while a token look-up is under way, at most.
	static constexpr std::size_t MAX_EARLY = 64;

	using Held = std::vector<std::pair<Poco::Int64, WebSocketFrame::Ptr>>;

	State state = State::Open;
	bool registered = false;           /// in the Hub
	bool resumed = false;              /// handed over by a previous version of the plugin: no "ready" again
	bool hasSince = false;
	Poco::Int64 since = 0;
	std::shared_ptr<const User> user;
	std::string session;               /// UserDirectory::sessionId of its token
	std::vector<std::string> early;    /// text messages that came during the look-up, in order
	std::vector<Poco::Int64> resubscribe;  /// resumed: the presence subscription its previous version had

	/// A ?since replay is under way: live frames with a message id are held.
	std::atomic<bool> replaying{false};
	/// Live frames with a message id up to this were replayed (or seen): dropped.
	std::atomic<Poco::Int64> floor{0};
	/// Live frames that arrived during the replay: (message id, frame).
	std::unique_ptr<Held> held;

	/// On the I/O thread: a live frame keyed by a message (or event) id.
	void live(WebSocket& socket, Poco::Int64 messageId, const WebSocketFrame::Ptr& frame)
	{
		// message.stored may be published after the poster was answered,
		// so after a replay a message can come live once more: drop it.
		if (messageId <= floor.load(std::memory_order_relaxed)) return;
		if (held) held->emplace_back(messageId, frame);
		else socket.send(frame);
	}
};

} } // namespace Palaver::Ws

#endif
