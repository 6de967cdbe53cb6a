//
// IoLoop.h
//
// One I/O thread: an epoll loop over its share of the connections, an
// eventfd-woken mailbox through which other threads hand it work, and a
// coarse timer heap for handshake, auth and close deadlines plus one ping
// sweep per interval.
//

#ifndef Palaver_Ws_IoLoop_INCLUDED
#define Palaver_Ws_IoLoop_INCLUDED

#include "Connection.h"
#include "WebSocketHandshake.h"
#include "palaver/Acceptor.h"
#include "palaver/Mailbox.h"
#include <Poco/Types.h>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace Palaver {
namespace Ws {

class Runtime;

/// Work handed to a loop by another thread.
struct Command
{
	enum class Type { Adopt, Broadcast, AuthResult, ReplayResult, Close, Stop };

	explicit Command(Type type): type(type) {}

	Type type;
	// Adopt: a socket accepted on the ws port (handshake pending), or one
	// upgraded on the HTTP port (initial = the 101 answer, handshake filled in).
	int fd = -1;
	bool upgraded = false;
	std::string initial;
	HandshakeResult handshake;
	// Broadcast: one encoded frame for every authenticated connection.
	// (A frame for given connections is a Delivery.)
	FrameBytes frame;
	std::uint64_t exclude = 0;     /// a connection to skip
	// AuthResult / ReplayResult / Close
	std::uint64_t connection = 0;
	std::shared_ptr<const User> user;  /// AuthResult: null for an invalid token
	std::string session;            /// AuthResult: the token's session id (UserDirectory::sessionId)
	std::uint16_t closeCode = 0;    /// Close: the code and reason sent to the connection
	std::string reason;
	std::vector<std::pair<Poco::Int64, FrameBytes>> replay;
	bool complete = true;
	std::string errorFrame;         /// ReplayResult: an error frame (JSON) to send first
};

/// One entry of a loop's mailbox: a frame for one connection (the common
/// case: acks and chatmsgs, no allocation besides the shared frame), or any
/// other command. One queue for both keeps everything in posting order.
struct Delivery
{
	std::uint64_t connection = 0;
	FrameBytes frame;
	Poco::Int64 messageId = 0;       /// a chatmsg's id (for replay de-duplication), 0 otherwise
	Poco::Int64 learnUser = 0;       /// an ack: this receiver exists (chatmsgs to it skip the worker)
	std::unique_ptr<Command> command;
};

class IoLoop
{
public:
	IoLoop(unsigned index, Runtime& runtime);
	~IoLoop();

	IoLoop(const IoLoop&) = delete;
	IoLoop& operator=(const IoLoop&) = delete;

	unsigned index() const { return _index; }

	/// Loop 0 accepts on the ws port and deals the connections out.
	void setListener(int fd, std::vector<IoLoop*> loops);

	void start();

	/// Closes every connection with 1001, flushes for at most the close
	/// time-out, and joins the thread.
	void stop();

	/// Thread-safe: queues a command and wakes the loop. Dropped once stopped.
	void post(Command command);

	/// Thread-safe: queues a frame for one of this loop's connections.
	void post(Delivery delivery);

	// --- for the Dispatcher, on this loop's thread only ---
	void sendText(Connection& connection, const std::string& json);
	void send(Connection& connection, const FrameBytes& frame);
	void startClose(Connection& connection, std::uint16_t code, const std::string& reason);
	/// What a connection authenticates with: an explicit token (?token,
	/// Bearer, auth frame; refused at once when invalid), a ticket (the same,
	/// after it is redeemed for its token) or the cookie (an auth frame may
	/// follow a stale one).
	enum class Credential { Token, Ticket, Cookie };
	void beginAuth(Connection& connection, const std::string& secret, Credential kind);
	/// A receiver the message store has accepted a message for (from this loop).
	bool knowsUser(Poco::Int64 userId) const { return _knownUsers.count(userId) != 0; }

private:
	enum class TimerKind: std::uint8_t { Handshake, Auth, Close };
	struct Timer
	{
		Poco::Int64 deadline;
		std::uint64_t connection;
		TimerKind kind;
		bool operator>(const Timer& other) const { return deadline > other.deadline; }
	};

	void run();
	void processMailbox();
	void handleCommand(Command& command);
	void handleDelivery(Delivery& delivery);
	void acceptAll();
	void adopt(Command& command);
	Connection* find(std::uint64_t id);
	void onEvent(Connection& connection, std::uint32_t events);
	void onReadable(Connection& connection);
	void onHandshakeData(Connection& connection);
	void afterUpgrade(Connection& connection, const HandshakeResult& handshake);
	void feed(Connection& connection, const char* data, std::size_t size);
	void resumeInput(Connection& connection);
	bool onFrame(Connection& connection, FrameEvent& event);
	void authenticated(Connection& connection, const std::shared_ptr<const User>& user, const std::string& session);
	void replayDone(Connection& connection, Command& command);
	void enqueue(Connection& connection, const FrameBytes& bytes, bool control);
	void flush(Connection& connection);
	void flushDirty();
	void slowReader(Connection& connection);
	void refuse(Connection& connection, int status, const std::string& code, const std::string& message);
	void updateInterest(Connection& connection);
	void kill(Connection& connection);
	void reap();
	void addTimer(Connection& connection, TimerKind kind, Poco::Int64 delayMs);
	void runTimers(Poco::Int64 now);
	void pingSweep();
	int timeoutMs(Poco::Int64 now) const;
	static Poco::Int64 nowMs();

	unsigned _index;
	Runtime& _runtime;
	int _epoll = -1;
	int _listener = -1;
	Acceptor _acceptor;
	std::vector<IoLoop*> _loops;
	std::size_t _nextLoop = 0;
	std::thread _thread;

	Mailbox<Delivery> _mailbox;

	std::unordered_map<std::uint64_t, std::unique_ptr<Connection>> _connections;
	std::vector<std::uint64_t> _dead;
	std::vector<std::uint64_t> _dirty;  /// connections with output queued this iteration
	std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> _timers;
	Poco::Int64 _nextPing = 0;
	std::vector<char> _readBuffer;   /// shared by every connection of this loop
	std::unordered_set<Poco::Int64> _knownUsers;
	bool _stopping = false;
	Poco::Int64 _stopDeadline = 0;
};

} } // namespace Palaver::Ws

#endif
