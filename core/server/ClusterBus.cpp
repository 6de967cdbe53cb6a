#include "ClusterBus.h"
#include "palaver/Counter.h"
#include "palaver/Events.h"
#include "palaver/Failure.h"
#include "palaver/Gauge.h"
#include "palaver/JsonWriter.h"
#include "palaver/Metrics.h"
#include <Poco/Environment.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/NumberParser.h>
#include <Poco/Redis/Array.h>
#include <Poco/Redis/Client.h>
#include <Poco/StringTokenizer.h>
#include <Poco/Timespan.h>
#include <Poco/Timestamp.h>
#include <algorithm>
#include <sstream>

namespace Palaver {
namespace Server {

const std::string ClusterBus::ORIGIN = "_origin";

namespace {

const std::string DEFAULT_EVENTS = std::string(Events::MESSAGE_STORED) + " " + Events::MESSAGE_UPDATED + " " + Events::USER_REGISTERED
	+ " " + Events::WS_DELIVER + " " + Events::WS_PRESENCE + " " + Events::WS_PRESENCE_SNAPSHOT + " " + Events::SESSION_ENDED
	+ " " + Events::USER_UPDATED + " " + Events::USER_DELETED + " " + Events::GROUP_MEMBERS;
const std::size_t MAX_REPLY = 16 * 1024 * 1024;
const std::size_t BATCH = 512;
const Poco::Timespan CONNECT_TIMEOUT(2, 0);
const Poco::Int64 PING_AFTER_US = 10 * 1000 * 1000;
const Poco::Int64 SILENCE_LIMIT_US = 30 * 1000 * 1000;

/// Reads RESP replies (arrays of strings and integers, as publish/subscribe
/// sends them) from bytes as they arrive. Poco::Redis::AsyncReader cannot be
/// used: it sleeps 100 ms after every reply and never reconnects.
class RespReader
{
public:
	void feed(const char* data, std::size_t size)
	{
		if (_buffer.size() - _start + size > MAX_REPLY)
			throw Poco::DataFormatException("Redis reply larger than " + std::to_string(MAX_REPLY) + " bytes");
		_buffer.append(data, size);
	}

	/// The next complete reply, flattened; false when it has not fully arrived.
	bool next(std::vector<std::string>& items)
	{
		items.clear();
		std::size_t pos = _start;
		if (!parse(pos, items, 0)) return false;
		_start = pos;
		if (_start == _buffer.size())
		{
			_buffer.clear();
			_start = 0;
		}
		else if (_start > 65536)
		{
			_buffer.erase(0, _start);
			_start = 0;
		}
		return true;
	}

private:
	bool line(std::size_t& pos, std::string& out) const
	{
		const std::size_t end = _buffer.find("\r\n", pos);
		if (end == std::string::npos) return false;
		out.assign(_buffer, pos, end - pos);
		pos = end + 2;
		return true;
	}

	bool parse(std::size_t& pos, std::vector<std::string>& items, int depth) const
	{
		if (pos >= _buffer.size()) return false;
		const char type = _buffer[pos];
		std::size_t p = pos + 1;
		std::string head;
		if (!line(p, head)) return false;
		switch (type)
		{
		case '+':
		case ':':
			items.push_back(head);
			break;
		case '-':
			throw Poco::IOException("Redis answered an error", head);
		case '$':
		{
			const Poco::Int64 length = Poco::NumberParser::parse64(head);
			if (length < 0)
			{
				items.emplace_back();
				break;
			}
			if (static_cast<std::size_t>(length) > MAX_REPLY) throw Poco::DataFormatException("Redis bulk string too long");
			if (_buffer.size() - p < static_cast<std::size_t>(length) + 2) return false;
			items.emplace_back(_buffer, p, static_cast<std::size_t>(length));
			p += static_cast<std::size_t>(length) + 2;
			break;
		}
		case '*':
		{
			const Poco::Int64 count = Poco::NumberParser::parse64(head);
			if (depth > 1 || count > 1024) throw Poco::DataFormatException("unexpected Redis reply shape");
			for (Poco::Int64 i = 0; i < count; ++i)
			{
				if (!parse(p, items, depth + 1)) return false;
			}
			break;
		}
		default:
			throw Poco::DataFormatException("not a Redis reply");
		}
		pos = p;
		return true;
	}

	std::string _buffer;
	std::size_t _start = 0;
};

std::string respCommand(std::initializer_list<std::string> words)
{
	std::string out = "*" + std::to_string(words.size()) + "\r\n";
	for (const auto& word: words)
		out += "$" + std::to_string(word.size()) + "\r\n" + word + "\r\n";
	return out;
}

void sendAll(Poco::Net::StreamSocket& socket, const std::string& bytes)
{
	std::size_t sent = 0;
	while (sent < bytes.size())
	{
		const int n = socket.sendBytes(bytes.data() + sent, static_cast<int>(bytes.size() - sent));
		if (n <= 0) throw Poco::IOException("cannot write to Redis");
		sent += static_cast<std::size_t>(n);
	}
}

} // namespace

ClusterBus::ClusterBus(const Poco::Util::AbstractConfiguration& config, EventBus& events, Metrics& metrics, Poco::Logger& logger):
	_events(events),
	_logger(logger),
	_endpoint(parseBus(config.getString("cluster.bus", "local"))),
	_nodeId(config.getString("cluster.node_id", "")),
	_channel(config.getString("cluster.channel", "palaver:events")),
	_queueMax(static_cast<std::size_t>(std::max(1, config.getInt("cluster.queue_max", 100000)))),
	_backoffMaxMs(std::max(100, config.getInt("cluster.reconnect_max", 5000))),
	_heartbeatUs(static_cast<Poco::Int64>(std::max(0.1, config.getDouble("cluster.heartbeat", 10.0)) * 1000000)),
	_published(metrics.counter("palaver_cluster_published_total", "Events sent to the other nodes.")),
	_received(metrics.counter("palaver_cluster_received_total", "Events received from the other nodes.")),
	_dropped(metrics.counter("palaver_cluster_dropped_total", "Events not sent to the other nodes (Redis unreachable or queue full).")),
	_connected(metrics.gauge("palaver_cluster_connected", "1 while subscribed to the cluster's Redis channel."))
{
	if (_nodeId.empty())
		_nodeId = Poco::Environment::nodeName() + ":" + config.getString("http.port", "8080");
	if (_channel.empty()) throw Poco::InvalidArgumentException("[cluster] channel must not be empty");
	_ownPrefix = "{\"node\":";
	JsonWriter::appendString(_ownPrefix, _nodeId);
	_ownPrefix += ',';
	Poco::StringTokenizer names(config.getString("cluster.events", DEFAULT_EVENTS), " ,",
		Poco::StringTokenizer::TOK_IGNORE_EMPTY | Poco::StringTokenizer::TOK_TRIM);
	_eventNames.assign(names.begin(), names.end());
	if (std::find(_eventNames.begin(), _eventNames.end(), Events::CLUSTER_NODE_UP) == _eventNames.end())
		_eventNames.push_back(Events::CLUSTER_NODE_UP);
}

ClusterBus::~ClusterBus()
{
	stop();
}

bool ClusterBus::configured(const Poco::Util::AbstractConfiguration& config)
{
	const std::string bus = config.getString("cluster.bus", "local");
	return !bus.empty() && bus != "local";
}

ClusterBus::Endpoint ClusterBus::parseBus(const std::string& bus)
{
	const std::string scheme = "redis://";
	if (bus.compare(0, scheme.size(), scheme) != 0)
		throw Poco::InvalidArgumentException("[cluster] bus must be local or redis://HOST:PORT, not", bus);
	std::string rest = bus.substr(scheme.size());
	if (!rest.empty() && rest.back() == '/') rest.pop_back();
	Endpoint endpoint;
	const auto colon = rest.rfind(':');
	endpoint.host = rest.substr(0, colon);
	if (colon != std::string::npos)
	{
		unsigned port = 0;
		if (!Poco::NumberParser::tryParseUnsigned(rest.substr(colon + 1), port) || port == 0 || port > 65535)
			throw Poco::InvalidArgumentException("[cluster] bus has a bad port", bus);
		endpoint.port = static_cast<Poco::UInt16>(port);
	}
	if (endpoint.host.empty() || endpoint.host.find_first_of("/@") != std::string::npos)
		throw Poco::InvalidArgumentException("[cluster] bus must be local or redis://HOST:PORT, not", bus);
	return endpoint;
}

void ClusterBus::start()
{
	if (_running.exchange(true)) return;
	for (const auto& name: _eventNames)
	{
		_subscriptions.push_back(_events.subscribe(name,
			[this](const std::string& event, const Poco::JSON::Object::Ptr& payload) { onLocalEvent(event, payload); }));
	}
	_publisher = std::thread([this] { publisherLoop(); });
	_subscriber = std::thread([this] { subscriberLoop(); });
	_logger.information("cluster: node %s on redis://%s:%hu channel %s", _nodeId, _endpoint.host, _endpoint.port, _channel);
}

void ClusterBus::stop()
{
	if (!_running.exchange(false)) return;
	for (auto id: _subscriptions) _events.unsubscribe(id);
	_subscriptions.clear();
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_wake.notify_all();
	}
	if (_publisher.joinable()) _publisher.join();
	if (_subscriber.joinable()) _subscriber.join();
	_connected.set(0);
}

void ClusterBus::onLocalEvent(const std::string& event, const Poco::JSON::Object::Ptr& payload)
{
	// Events from other nodes stay here.
	if (payload && payload->has(ORIGIN)) return;
	// The node comes first, so that every node (this one included: Redis
	// echoes what we publish) can skip its own events without parsing them.
	std::ostringstream payloadText;
	if (payload) payload->stringify(payloadText);
	else payloadText << "{}";
	std::string text = _ownPrefix;
	text += "\"event\":";
	JsonWriter::appendString(text, event);
	text += ",\"payload\":";
	text += payloadText.str();
	text += '}';
	std::lock_guard<std::mutex> lock(_mutex);
	if (!_running) return;
	if (_queue.size() >= _queueMax)
	{
		_queue.pop_front();
		_dropped.inc();
	}
	_queue.push_back(std::move(text));
	_wake.notify_all();
}

bool ClusterBus::waitBackoff(long& backoffMs)
{
	std::unique_lock<std::mutex> lock(_mutex);
	_wake.wait_for(lock, std::chrono::milliseconds(backoffMs), [this] { return !_running; });
	backoffMs = std::min(backoffMs * 2, _backoffMaxMs);
	return _running;
}

void ClusterBus::publisherLoop()
{
	Poco::Redis::Client client;
	bool connected = false;
	bool failing = false;
	long backoffMs = 100;
	while (_running)
	{
		{
			std::unique_lock<std::mutex> lock(_mutex);
			_wake.wait_for(lock, std::chrono::seconds(1), [this] { return !_queue.empty() || !_running; });
			if (!_running) break;
			if (_queue.empty()) continue;
		}
		if (!connected)
		{
			try
			{
				client.connect(_endpoint.host, _endpoint.port, CONNECT_TIMEOUT);
				client.setReceiveTimeout(Poco::Timespan(5, 0));
				connected = true;
				backoffMs = 100;
				if (failing) _logger.notice("cluster: publisher reconnected to Redis");
				failing = false;
			}
			catch (Poco::Exception& e)
			{
				try { client.disconnect(); } catch (Poco::Exception&) {}
				if (!failing) _logger.warning("cluster: cannot publish to Redis (%s); events for other nodes wait in a queue of %z, retrying with back-off", e.displayText(), _queueMax);
				failing = true;
				waitBackoff(backoffMs);
				continue;
			}
		}
		std::vector<std::string> batch;
		{
			std::lock_guard<std::mutex> lock(_mutex);
			const std::size_t n = std::min(BATCH, _queue.size());
			batch.reserve(n);
			for (std::size_t i = 0; i < n; ++i)
			{
				batch.push_back(std::move(_queue.front()));
				_queue.pop_front();
			}
		}
		try
		{
			std::vector<Poco::Redis::Array> commands;
			commands.reserve(batch.size());
			for (const auto& text: batch)
			{
				Poco::Redis::Array command;
				command << "PUBLISH" << _channel << text;
				commands.push_back(std::move(command));
			}
			client.sendCommands(commands);
			_published.inc(batch.size());
		}
		catch (Poco::Exception& e)
		{
			_dropped.inc(batch.size());
			_logger.warning("cluster: lost the Redis publisher connection (%s); %z events for other nodes dropped, reconnecting", e.displayText(), batch.size());
			try { client.disconnect(); } catch (Poco::Exception&) {}
			connected = false;
			failing = true;
		}
	}
	try { if (connected) client.disconnect(); } catch (Poco::Exception&) {}
}

void ClusterBus::subscriberLoop()
{
	long backoffMs = 100;
	bool failing = false;
	while (_running)
	{
		std::string reason;
		if (!Failure::caught([&] { subscribeOnce(backoffMs); }, reason))
		{
			if (!failing)
				_logger.warning("cluster: Redis subscription lost (%s); local delivery goes on, reconnecting with back-off", reason);
			else
				_logger.information("cluster: Redis still unreachable (%s); next try in %ld ms", reason, backoffMs);
			failing = true;
		}
		_connected.set(0);
		if (!_running) break;
		waitBackoff(backoffMs);
	}
}

void ClusterBus::subscribeOnce(long& backoffMs)
{
	Poco::Net::StreamSocket socket;
	socket.connect(Poco::Net::SocketAddress(_endpoint.host, _endpoint.port), CONNECT_TIMEOUT);
	socket.setNoDelay(true);
	socket.setSendTimeout(CONNECT_TIMEOUT);
	sendAll(socket, respCommand({"SUBSCRIBE", _channel}));

	RespReader reader;
	std::vector<std::string> items;
	std::vector<char> buffer(64 * 1024);
	Poco::Timestamp lastData;
	Poco::Timestamp lastPing;
	Poco::Timestamp lastBeat;
	bool subscribed = false;
	while (_running)
	{
		if (subscribed && lastBeat.elapsed() >= _heartbeatUs)
		{
			lastBeat.update();
			Poco::JSON::Object::Ptr beat = new Poco::JSON::Object;
			beat->set("intervalMs", _heartbeatUs / 1000);
			_events.publish(Events::CLUSTER_HEARTBEAT, beat);
		}
		if (!socket.poll(Poco::Timespan(0, std::min<Poco::Int64>(250000, _heartbeatUs)), Poco::Net::Socket::SELECT_READ))
		{
			// Quiet: make sure the server is still there.
			if (lastData.elapsed() > SILENCE_LIMIT_US) throw Poco::TimeoutException("Redis does not answer");
			if (lastData.elapsed() > PING_AFTER_US && lastPing.elapsed() > PING_AFTER_US)
			{
				sendAll(socket, respCommand({"PING"}));
				lastPing.update();
			}
			continue;
		}
		const int n = socket.receiveBytes(buffer.data(), static_cast<int>(buffer.size()));
		if (n <= 0) throw Poco::IOException("Redis closed the connection");
		lastData.update();
		reader.feed(buffer.data(), static_cast<std::size_t>(n));
		while (reader.next(items))
		{
			if (items.size() >= 3 && items[0] == "message")
			{
				deliver(items[2]);
			}
			else if (items.size() >= 2 && items[0] == "subscribe")
			{
				_connected.set(1);
				subscribed = true;
				lastBeat.update();
				backoffMs = 100;
				_logger.notice("cluster: node %s subscribed to Redis channel %s at %s:%hu", _nodeId, _channel, _endpoint.host, _endpoint.port);
				// Tells this node's plugins, and through them the other nodes,
				// that state (e.g. presence) should be announced again.
				_events.publish(Events::CLUSTER_NODE_UP, new Poco::JSON::Object);
			}
			// "pong" and anything else: nothing to do.
		}
	}
}

void ClusterBus::deliver(const std::string& text)
{
	if (text.compare(0, _ownPrefix.size(), _ownPrefix) == 0) return;  // our own, already delivered here
	try
	{
		Poco::JSON::Parser parser;
		Poco::JSON::Object::Ptr envelope = parser.parse(text).extract<Poco::JSON::Object::Ptr>();
		const std::string node = envelope->optValue<std::string>("node", "");
		if (node.empty() || node == _nodeId) return;  // our own, in another layout
		const std::string event = envelope->optValue<std::string>("event", "");
		if (std::find(_eventNames.begin(), _eventNames.end(), event) == _eventNames.end()) return;
		Poco::JSON::Object::Ptr payload = envelope->getObject("payload");
		if (!payload) payload = new Poco::JSON::Object;
		payload->set(ORIGIN, node);
		_received.inc();
		_events.publish(event, payload);
	}
	catch (Poco::Exception& e)
	{
		_logger.warning("cluster: unreadable event from Redis skipped: %s", e.displayText());
	}
}

} } // namespace Palaver::Server
