//
// ChatHandler.h
//
// The chat protocol on the core's WebSocket endpoint: who may connect
// (?token, ?ticket, the cookie or an auth frame), what happens once a
// connection is authenticated (ready, presence, ?since replay), and the
// auth_timeout. What the frames mean is the Dispatcher's.
//

#ifndef Palaver_Ws_ChatHandler_INCLUDED
#define Palaver_Ws_ChatHandler_INCLUDED

#include "AuthDeadlines.h"
#include "ChatConnection.h"
#include "Dispatcher.h"
#include "ReloadState.h"
#include "palaver/WebSocketHandler.h"
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace Palaver {
namespace Ws {

class Runtime;

/// Threads: as WebSocketHandler (accept() on an HTTP worker, the callbacks
/// on the connection's I/O thread); token look-ups and replays run on the
/// runtime's workers and come back with WebSocket::post().
class ChatHandler: public WebSocketHandler
{
public:
	explicit ChatHandler(std::shared_ptr<Runtime> runtime);

	/// The auth time-outs' timer.
	void start();
	void stop();

	void accept(Request& request, WebSocket& socket) override;
	void onOpen(const WebSocket::Ptr& socket) override;
	void onText(const WebSocket::Ptr& socket, const std::string& text) override;
	void onClose(const WebSocket::Ptr& socket, std::uint16_t code) override;

	/// A connection of the plugin's previous version (a run-time reload): one
	/// without a user waits for its auth frame until the deadline the
	/// previous version gave it (restoreFrom(); a new auth_timeout when it
	/// has none); an authenticated one has its user read again on a worker
	/// (its frames wait meanwhile, as during an auth frame's look-up), is
	/// registered in the Hub without a second "ready", and subscribes again
	/// to the presence it had subscribed to.
	void onResume(const WebSocket::Ptr& socket) override;

	/// A run-time reload: the previous version's connections' auth deadlines
	/// (after stop()), and, before the next version's start(), what
	/// onResume() gives back to each connection.
	void saveTo(ReloadState& state);
	void restoreFrom(const ReloadState& state);

	/// An auth frame's token (Dispatcher), on the I/O thread: looked up on a
	/// worker; text messages that come meanwhile are handled after it.
	void beginAuth(const WebSocket::Ptr& socket, ChatConnection& connection, const std::string& token);

private:
	/// The user and session of a token (or of the token a ticket stands
	/// for); false for an unknown one, or when storage fails. Blocking.
	static bool lookUp(Runtime& runtime, const std::string& secret, bool isTicket,
		std::shared_ptr<const User>& user, std::string& session);

	void authResult(const WebSocket::Ptr& socket, const std::shared_ptr<const User>& user, const std::string& session);
	void authenticated(const WebSocket::Ptr& socket, ChatConnection& connection);
	void replayDone(WebSocket& socket, ChatConnection& connection, const Dispatcher::Replay& replay);

	/// Reads the user's chats on a worker for presence_scope = conversations
	/// (Hub::installChats(); again while a group change makes them stale, at
	/// most LOAD_ATTEMPTS times).
	void loadChats(Poco::Int64 userId, std::uint64_t ticket);

	static constexpr int LOAD_ATTEMPTS = 3;

	/// What the previous version left for a connection, taken by its onResume().
	ReloadState::Connection takeResumed(std::uint64_t socketId);

	const std::shared_ptr<Runtime> _runtime;
	AuthDeadlines _deadlines;
	std::mutex _resumedMutex;
	std::unordered_map<std::uint64_t, ReloadState::Connection> _resumed;  /// by socket id, until its onResume()
};

} } // namespace Palaver::Ws

#endif
