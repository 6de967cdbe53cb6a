//
// WsConn.h
//
// A client WebSocket connection on the loop: the HTTP upgrade with ?token=,
// then RFC 6455 frames, masked as a client must send them. Text messages go
// to a handler; pings are answered; fragmented messages are reassembled.
//

#ifndef Palaver_Bench_WsConn_INCLUDED
#define Palaver_Bench_WsConn_INCLUDED

#include "Net.h"
#include <cstdint>
#include <string>

namespace Palaver {
namespace Bench {

class WsConn;

class WsHandler
{
public:
	virtual ~WsHandler() = default;
	virtual void onOpen(WsConn& conn) = 0;                                  /// 101 received
	virtual void onText(WsConn& conn, const char* data, std::size_t size) = 0;
	virtual void onClosed(WsConn& conn, const std::string& why) = 0;
};

class WsConn: public Conn
{
public:
	enum class State { Connecting, Handshake, Open, Closed };

	/// Connects at once (index picks the source address); path is the
	/// upgrade's ("/" on the [ws] port, "/ws" on the HTTP port).
	WsConn(Loop& loop, const Target& target, std::size_t index, const std::string& token, WsHandler& handler,
		const std::string& path = "/");
	~WsConn() override;

	void sendText(const char* data, std::size_t size);
	void sendText(const std::string& text) { sendText(text.data(), text.size()); }

	State state() const { return _state; }
	void onEvent(std::uint32_t events) override;

	// Scenario bookkeeping.
	std::int64_t userId = 0;
	std::size_t index = 0;
	std::size_t node = 0;            /// which of the servers it is connected to
	bool ready = false;

	/// Encodes one masked client frame (exposed for the unit-free smoke test).
	static void encode(std::string& out, std::uint8_t opcode, const char* data, std::size_t size, std::uint32_t mask);

private:
	void queue(std::uint8_t opcode, const char* data, std::size_t size);
	void flush();
	void readAll();
	void parseHandshake();
	void parseFrames();
	void close(const std::string& why);

	Loop& _loop;
	WsHandler& _handler;
	State _state = State::Connecting;
	std::string _out;
	std::size_t _outOffset = 0;
	bool _wantWrite = true;
	std::string _in;
	std::size_t _inOffset = 0;
	std::string _message;            /// a fragmented text message being reassembled
	std::uint32_t _maskState;
};

} } // namespace Palaver::Bench

#endif
