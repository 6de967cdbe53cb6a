//
// Scenarios.h
//
// The scenarios of palaver-bench (idle, idle-http, chat-http, chat-ws,
// fanout, group-fanout, history, search, conversations, connect-storm,
// uploads, uploads-chat) on one Loop, and the sweep that raises
// the chat rate until the delivery ratio or the p99 breaks.
//

#ifndef Palaver_Bench_Scenarios_INCLUDED
#define Palaver_Bench_Scenarios_INCLUDED

#include "HttpConn.h"
#include "Net.h"
#include "Report.h"
#include "WsConn.h"
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace Palaver {
namespace Bench {

/// One palaverd of the cluster under test.
struct Server
{
	std::string host = "127.0.0.1";
	std::uint16_t httpPort = 8080;
	std::uint16_t wsPort = 0;        /// 0: WebSockets on the HTTP port's /ws
	int pid = 0;                     /// 0: no server-side figures
};

/// "HOST:HTTP_PORT[:WS_PORT]"; throws std::invalid_argument.
Server parseServer(const std::string& text);

struct Options
{
	std::string scenario;
	std::string host = "127.0.0.1";
	std::uint16_t httpPort = 8080;
	std::uint16_t wsPort = 9000;
	int serverPid = 0;               /// 0: no server-side figures
	/// --server (repeatable, or a comma list): the nodes users are spread
	/// over; empty: the one server of host, httpPort, wsPort and serverPid.
	std::vector<Server> servers;
	std::size_t connections = 1000;  /// idle, fanout: WebSocket connections
	std::size_t users = 100;         /// users (chat, group-fanout: one connection each; idle/fanout: connections spread over them)
	double rate = 1000;              /// chat: messages per second
	double duration = 10;            /// chat, history: seconds
	std::size_t httpConnections = 32;
	std::size_t size = 64;           /// chat, group-fanout: message text length
	bool sweep = false;
	double sweepFactor = 1.5;
	std::size_t sweepSteps = 8;
	double p99Max = 25;              /// sweep: p99 limit in ms
	double idleInterval = 10;        /// idle: CPU measured over these seconds
	std::size_t rounds = 5;          /// fanout: registrations; group-fanout: messages
	std::size_t historyMessages = 1000;
	double searchP99Max = 50;        /// search: the p99 goal reported (p99_within_max), in ms
	std::size_t chats = 500;          /// conversations: the reader's direct chats
	std::size_t storedMessages = 1000000;  /// conversations: messages written into the database
	std::string database;            /// conversations: palaverd's SQLite file (filled with the sqlite3 program)
	std::string photo;               /// uploads, uploads-chat: the JPEG uploaded
	std::size_t perSource = 4000;    /// connections per 127.0.0.x source address (sparse port ranges connect faster)
	std::size_t connectInFlight = 256;
	double connectRate = 1000;       /// connect-storm: connections opened per second, open loop
	double drain = 10;               /// seconds to wait for the last deliveries
	std::string prefix;              /// user names: <prefix><n>
	std::string password = "bench-password";
	std::string output;              /// JSON file; empty: stdout
	bool check = false;              /// exit 1 unless counts and the delivery ratio are complete
};

class Bench: public WsHandler
{
public:
	explicit Bench(const Options& options);
	~Bench() override;

	/// Runs options.scenario; fills result; returns false when a check failed.
	bool run(Json& result, std::string& summary);

	// WsHandler
	void onOpen(WsConn& conn) override;
	void onText(WsConn& conn, const char* data, std::size_t size) override;
	void onClosed(WsConn& conn, const std::string& why) override;

private:
	struct User
	{
		std::int64_t id = 0;
		std::string name;
		std::string token;
		std::size_t node = 0;        /// its sockets and sends go to this server
	};

	/// A server and the bench's keep-alive connections to it.
	struct Node
	{
		Server server;
		Target http;
		Target ws;
		std::string wsPath;
		std::vector<std::unique_ptr<HttpConn>> pool;
		std::size_t next = 0;
	};

	struct ChatPhase
	{
		bool overWs = false;
		double rate = 0;
		std::int64_t start = 0;
		std::size_t total = 0;
		std::size_t sent = 0;
		std::size_t stored = 0;
		std::size_t failed = 0;
		std::size_t delivered = 0;
		std::size_t duplicates = 0;
		std::size_t echoes = 0;
		std::int64_t lastDelivery = 0;
		std::int64_t maxSendLagUs = 0;
		enum Flag: std::uint8_t { Stored = 1, Delivered = 2 };
		std::vector<std::uint8_t> flags;  /// per sequence number
		std::size_t deliveredOfStored = 0;
		bool cutOff = false;              /// past the drain: answers no longer count
		// Per node (index of Options::servers): sent and stored by its users,
		// delivered to its connections; deliveries whose sender's node differs
		// from the receiver's crossed nodes (through the cluster bus).
		std::vector<std::size_t> sentVia, storedVia, deliveredAt;
		std::size_t crossNode = 0;
		Samples deliveryCross;
		Samples deliverySame;

		/// Counts a 201 or ack of a message sent through node; false past the cut-off.
		bool markStored(std::size_t seq, std::size_t node)
		{
			if (cutOff || (flags[seq] & Stored)) return false;
			flags[seq] |= Stored;
			++stored;
			++storedVia[node];
			if (flags[seq] & Delivered) ++deliveredOfStored;
			return true;
		}
		std::map<std::string, std::size_t> failures;
		Samples delivery;
		Samples store;
	};

	bool runIdle(Json& result, std::string& summary);
	bool runIdleHttp(Json& result, std::string& summary);
	bool runChat(bool overWs, Json& result, std::string& summary);
	bool runFanout(Json& result, std::string& summary);
	bool runHistory(Json& result, std::string& summary);
	/// SearchScenario.cpp: GET /search over a database bench/run.sh filled.
	bool runSearch(Json& result, std::string& summary);
	bool runGroupFanout(Json& result, std::string& summary);
	/// One request to node, answered before it returns (30 s at most, else throws).
	HttpResponse call(std::size_t node, const std::string& request);
	/// A group of members (the first creates it and posts); its id. Throws on a refusal.
	std::int64_t createGroup(const std::vector<User>& members);
	bool runConversations(Json& result, std::string& summary);
	/// ConnectStorm.cpp: --users users with one connection each, opened at --connect-rate.
	bool runConnectStorm(Json& result, std::string& summary);

	/// Photos posted to /attachments closed loop, one request in flight per
	/// HTTP connection, while running (UploadScenario.cpp).
	struct UploadLoop
	{
		bool running = false;
		std::size_t photos = 0;       /// 201s with a thumbnail, while running
		std::size_t errors = 0;
		std::map<std::string, std::size_t> errorKinds;
		Samples latency;
		std::vector<std::string> requests;  /// one per uploader; the callbacks refer to them
		std::function<void(HttpConn&, const std::string&)> ask;
	};
	/// UploadScenario.cpp: --photo uploaded by every HTTP connection, closed loop, for --duration s.
	bool runUploads(Json& result, std::string& summary);
	/// UploadScenario.cpp: chat-ws at --rate without, then with, uploads running beside it.
	bool runUploadsChat(Json& result, std::string& summary);
	/// Starts loop on every pooled HTTP connection, each as one of uploaders in turn.
	void startUploads(UploadLoop& loop, const std::vector<User>& uploaders);
	/// Ends loop and waits (30 s at most) for the uploads in flight.
	void stopUploads(UploadLoop& loop);

	/// What a closed loop of one request measured.
	struct ClosedLoop
	{
		std::size_t answers = 0;
		std::size_t errors = 0;
		std::size_t wrong = 0;        /// 200s whose body the check refused
		std::size_t bytes = 0;
		std::vector<std::size_t> answersAt;  /// per node
		std::map<std::string, std::size_t> errorKinds;
		Samples latency;
		double seconds = 0;
		double serverCpu = 0;         /// seconds
	};
	/// Every open HTTP connection sends request again as soon as it has its
	/// answer, for --duration seconds; check tells whether a 200's body is whole.
	ClosedLoop closedLoop(const std::string& request, const std::function<bool(const std::string& body)>& check);

	std::vector<User> registerUsers(std::size_t count, const std::string& tag);
	/// Opens count connections spread over users; waits until all are ready.
	std::size_t connect(const std::vector<User>& users, std::size_t count);
	void closeAll();
	void pollFor(double seconds);
	/// A keep-alive connection to node: an idle one, else the least loaded.
	HttpConn& pickHttp(std::size_t node);
	/// Opens keep-alive connections up to total, spread evenly over the nodes
	/// (at least one each).
	void openHttp(std::size_t total);
	std::size_t httpConnectionCount() const;
	/// chat: the receiver (index into _users) of message seq.
	std::size_t receiverOf(std::size_t seq) const;
	Json runPhase(bool overWs, double rate, bool& complete, bool& sustained, std::string& line);
	void sendChat(std::size_t seq, std::int64_t scheduled);
	Json serverJson() const;
	/// Sum of the nodes' utime + stime (0 without pids).
	double serverCpuSeconds() const;
	std::vector<double> nodeCpuSeconds() const;
	/// The unlabelled samples of GET /metrics of node.
	std::map<std::string, double> fetchMetrics(std::size_t node);
	bool clustered() const { return _nodes.size() > 1; }

	Options _options;
	Loop _loop;
	std::vector<Node> _nodes;
	std::vector<User> _users;
	std::vector<std::unique_ptr<WsConn>> _ws;
	std::size_t _ready = 0;
	std::size_t _closed = 0;
	std::size_t _errors = 0;
	std::string _lastClose;
	std::string _lastError;
	std::size_t _userCounter = 0;
	std::unique_ptr<ChatPhase> _phase;
	// fanout: the user name being registered, group-fanout: the text marker of
	// the message posted; when each connection saw it
	std::string _fanoutName;
	std::vector<std::int64_t> _fanoutSeen;
	std::size_t _fanoutCount = 0;
	std::size_t _fanoutDuplicates = 0;  /// group-fanout: frames of the round a connection had already
	// connect-storm: frames received, presence frames among them, per connection
	std::size_t _framesIn = 0;
	std::size_t _presenceIn = 0;
	std::vector<std::uint32_t> _presenceOf;
	std::int64_t _lastFrameUs = 0;
};

} } // namespace Palaver::Bench

#endif
