//
// HttpConn.h
//
// A keep-alive HTTP/1.1 client connection on the loop: one request in
// flight at a time (no pipelining), the others wait in its queue. Reconnects
// when the server closed an idle connection.
//

#ifndef Palaver_Bench_HttpConn_INCLUDED
#define Palaver_Bench_HttpConn_INCLUDED

#include "Net.h"
#include <deque>
#include <functional>
#include <string>

namespace Palaver {
namespace Bench {

struct HttpResponse
{
	int status = 0;          /// 0: the connection failed
	std::string body;
};

class HttpConn: public Conn
{
public:
	using Callback = std::function<void(const HttpResponse&)>;

	HttpConn(Loop& loop, const Target& target);
	~HttpConn() override;

	/// Queues a request (sent when the ones before it are answered).
	void request(std::string raw, Callback callback);

	/// Requests queued or in flight.
	std::size_t outstanding() const { return _queue.size(); }

	void onEvent(std::uint32_t events) override;

	/// Acknowledge every read at once (TCP_QUICKACK), so that a server that
	/// writes its answer in pieces with Nagle on does not wait for a delayed ACK
	/// (a diagnostic: compare with and without).
	static bool quickAck;

	/// "METHOD path" with Host, optional bearer token and a body.
	static std::string build(const std::string& method, const std::string& path, const std::string& token,
		const std::string& contentType = std::string(), const std::string& body = std::string());

private:
	void open();
	void startNext();
	void writeOut();
	bool parse();        /// true when a whole response was handled
	void fail();
	void disconnect();
	void watch(std::uint32_t events);  /// epoll interest, changed only when it differs

	Loop& _loop;
	Target _target;
	std::deque<std::pair<std::string, Callback>> _queue;
	bool _connected = false;
	bool _inFlight = false;
	bool _closeAfter = false;
	std::uint32_t _events = 0;  /// registered with the loop now
	std::string _out;
	std::size_t _outOffset = 0;
	std::string _in;
};

/// The value of "key" in a JSON text: a number or a string (no unescaping
/// beyond what palaverd produces for the bench's own ASCII names). Empty if absent.
std::string jsonField(const std::string& json, const std::string& key, std::size_t from = 0);

} } // namespace Palaver::Bench

#endif
