//
// WsClient.h
//
// A blocking WebSocket client for integration tests (Poco's client side).
//

#ifndef Palaver_Testing_WsClient_INCLUDED
#define Palaver_Testing_WsClient_INCLUDED

#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/Net/WebSocket.h>
#include <Poco/Types.h>
#include <memory>
#include <string>

namespace Palaver {
namespace Testing {

class WsClient
{
public:
	/// Connects to ws://127.0.0.1:port<path>; throws Poco::Net::WebSocketException
	/// (or NetException) when the handshake is refused.
	WsClient(Poco::UInt16 port, const std::string& path = "/",
		const Poco::Net::NameValueCollection& headers = Poco::Net::NameValueCollection());

	void sendText(const std::string& text);
	void sendJson(const Poco::JSON::Object& json);
	void sendBinary(const std::string& data);

	/// The next text frame as JSON, waiting at most timeoutMs; throws
	/// Poco::TimeoutException when none comes and Poco::IOException when the
	/// server closed (closeCode() then tells why). Pings are answered.
	Poco::JSON::Object::Ptr receiveJson(int timeoutMs = 5000);

	/// Receives frames until one has "type" == type; frames before it are skipped.
	Poco::JSON::Object::Ptr receiveType(const std::string& type, int timeoutMs = 5000);

	/// True when no text frame arrives within timeoutMs.
	bool silentFor(int timeoutMs);

	/// Waits for the server's close frame and returns its status code (0 for
	/// a connection that ended without one).
	int waitForClose(int timeoutMs = 5000);
	int closeCode() const { return _closeCode; }

	void close();

	Poco::Net::WebSocket& socket() { return *_socket; }

private:
	std::unique_ptr<Poco::Net::HTTPClientSession> _session;
	std::unique_ptr<Poco::Net::WebSocket> _socket;
	int _closeCode = 0;
};

} } // namespace Palaver::Testing

#endif
