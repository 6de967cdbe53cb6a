// livecounter: an example of a real-time plugin. It serves a WebSocket
// endpoint, GET /livecounter on the HTTP port (and any path on a port of its
// own when [livecounter] port is set), on the core's connection layer: the
// core does the handshake, framing, pings and limits; the plugin only says
// who may connect and what the messages mean.
//
// A client connects with ?token=TOKEN (or Authorization: Bearer), and gets
// {"type":"count","value":N}. Each text message "add" adds one to the shared
// counter, and every connected user gets the new count with who added it;
// "whoami" is answered on that connection only. Logging out (session.ended)
// closes the session's connections with 4001.
#include <palaver/EventBus.h>
#include <palaver/Events.h>
#include <palaver/HttpError.h>
#include <palaver/Plugin.h>
#include <palaver/PluginContext.h>
#include <palaver/Request.h>
#include <palaver/ServiceRegistry.h>
#include <palaver/WebSocketHandler.h>
#include <palaver/services/UserDirectory.h>
#include <palaver/services/WebSockets.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Logger.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Util/AbstractConfiguration.h>
#include <atomic>
#include <memory>
#include <sstream>
#include <string>

namespace LiveCounter {

std::string toText(const Poco::JSON::Object& json)
{
	std::ostringstream out;
	json.stringify(out);
	return out.str();
}

/// What each connection keeps: its user's name (set in accept()).
struct Visitor
{
	std::string userName;
};

class CounterHandler: public Palaver::WebSocketHandler
{
public:
	explicit CounterHandler(std::shared_ptr<Palaver::UserDirectory> users): _users(std::move(users)) {}

	void setEndpoint(Palaver::WebSocketEndpoint* endpoint) { _endpoint = endpoint; }

	// On an HTTP worker: a database read is fine here.
	void accept(Palaver::Request& request, Palaver::WebSocket& socket) override
	{
		std::string token = request.query("token");
		const std::string authorization = request.http().get("Authorization", "");
		if (token.empty() && authorization.rfind("Bearer ", 0) == 0) token = authorization.substr(7);
		const Poco::Optional<Palaver::User> user = token.empty() ? Poco::Optional<Palaver::User>() : _users->userForToken(token);
		if (!user.isSpecified()) throw Palaver::HttpError(401, "unauthorized", "a valid token is required");
		socket.setUser(user.value().id, _users->sessionId(token));
		auto visitor = std::make_shared<Visitor>();
		visitor->userName = user.value().userName;
		socket.setContext(visitor);
	}

	// The rest on the connection's I/O thread: quick, never blocking.
	void onOpen(const Palaver::WebSocket::Ptr& socket) override
	{
		Poco::JSON::Object count;
		count.set("type", "count");
		count.set("value", _count.load());
		socket->sendText(toText(count));
	}

	void onText(const Palaver::WebSocket::Ptr& socket, const std::string& text) override
	{
		const std::string userName = socket->context<Visitor>()->userName;
		Poco::JSON::Object answer;
		if (text == "add")
		{
			answer.set("type", "count");
			answer.set("value", ++_count);
			answer.set("by", userName);
			// Serialised once, queued on every connection.
			_endpoint->broadcast(Palaver::WebSocketFrame::text(toText(answer)));
		}
		else if (text == "whoami")
		{
			answer.set("type", "you");
			answer.set("userId", socket->userId());
			answer.set("userName", userName);
			answer.set("connections", _endpoint->connectionCount(socket->userId()));
			socket->sendText(toText(answer));
		}
		else
		{
			socket->close(Palaver::WebSocketFrame::CloseCode::PolicyViolation, "say add or whoami");
		}
	}

private:
	const std::shared_ptr<Palaver::UserDirectory> _users;
	Palaver::WebSocketEndpoint* _endpoint = nullptr;
	std::atomic<Poco::Int64> _count{0};
};

class LiveCounterPlugin: public Palaver::Plugin
{
public:
	Palaver::PluginInfo info() const override
	{
		Palaver::PluginInfo info;
		info.name = "livecounter";
		info.version = "1.0.0";
		info.needs = {"auth"};     // tokens to users
		return info;
	}

	void initialize(Palaver::PluginContext& context) override
	{
		auto handler = std::make_shared<CounterHandler>(context.services().require<Palaver::UserDirectory>());
		Palaver::WebSocketEndpoint::Options options;
		options.maxMessage = 1024;
		_endpoint = context.services().require<Palaver::WebSockets>()->create(handler, options);
		handler->setEndpoint(_endpoint.get());
		_endpoint->mount("/livecounter");
		const int port = context.config().getInt("port", 0);
		if (port > 0)
		{
			const Poco::Net::SocketAddress address(context.config().getString("address", "127.0.0.1"), static_cast<Poco::UInt16>(port));
			context.logger().information("livecounter: listening on port %hu", _endpoint->listen(address));
		}
		_events = &context.events();
		Palaver::WebSocketEndpoint* endpoint = _endpoint.get();
		_subscription = _events->subscribe(Palaver::Events::SESSION_ENDED, [endpoint](const std::string&, const Poco::JSON::Object::Ptr& payload)
		{
			Poco::JSON::Array::Ptr sessions = payload ? payload->getArray("sessions") : nullptr;
			for (std::size_t i = 0; sessions && i < sessions->size(); ++i)
				endpoint->closeSession(sessions->getElement<std::string>(static_cast<unsigned>(i)),
					Palaver::WebSocketFrame::CloseCode::SessionEnded, "session ended");
		});
	}

	void stop() override
	{
		if (_events) _events->unsubscribe(_subscription);
		_events = nullptr;
	}

private:
	std::shared_ptr<Palaver::WebSocketEndpoint> _endpoint;
	Palaver::EventBus* _events = nullptr;
	Palaver::EventBus::SubscriptionId _subscription{};
};

} // namespace LiveCounter

PALAVER_PLUGIN(LiveCounter::LiveCounterPlugin)
