#include "WsServer.h"
#include "Dispatcher.h"
#include "palaver/HttpError.h"
#include "palaver/JsonWriter.h"
#include "palaver/MessageUpdate.h"
#include "palaver/Request.h"
#include "palaver/Response.h"
#include <Poco/JSON/Array.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Timestamp.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Palaver {
namespace Ws {

WsServer::WsServer(std::shared_ptr<Runtime> runtime):
	_runtime(std::move(runtime))
{
}

WsServer::~WsServer()
{
	stop();
}

std::shared_ptr<Hub> WsServer::pusher()
{
	// Shares the runtime's lifetime: the service stays valid for whoever holds it.
	return std::shared_ptr<Hub>(_runtime, &_runtime->hub);
}

int WsServer::openListener()
{
	const Settings& settings = _runtime->settings;
	const Poco::Net::SocketAddress address(settings.address, settings.port);
	const int fd = ::socket(address.af(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) throw Poco::IOException("ws: cannot create the listening socket", std::strerror(errno));
	int one = 1;
	::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (::bind(fd, address.addr(), address.length()) != 0)
	{
		const int error = errno;
		::close(fd);
		throw Poco::IOException("ws: cannot listen on " + address.toString(), std::strerror(error));
	}
	if (::listen(fd, settings.backlog) != 0)
	{
		const int error = errno;
		::close(fd);
		throw Poco::IOException("ws: listen failed", std::strerror(error));
	}
	sockaddr_storage bound{};
	socklen_t length = sizeof(bound);
	::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length);
	_boundPort = Poco::Net::SocketAddress(reinterpret_cast<sockaddr*>(&bound), length).port();
	return fd;
}

void WsServer::start()
{
	if (_running) return;
	const Settings& settings = _runtime->settings;
	std::vector<IoLoop*> loops;
	for (int i = 0; i < settings.ioThreads; ++i)
	{
		_loops.push_back(std::make_unique<IoLoop>(static_cast<unsigned>(i), *_runtime));
		loops.push_back(_loops.back().get());
	}
	if (settings.listen)
	{
		_loops[0]->setListener(openListener(), loops);
		_runtime->logger.information("ws: listening on %s:%hu", settings.address, _boundPort);
	}
	_runtime->hub.setLoops(loops);
	_runtime->workers.start();
	for (auto& loop: _loops) loop->start();
	_running = true;
	_runtime->logger.information("ws: %d I/O threads, %d workers", settings.ioThreads, settings.workers);
}

void WsServer::stop()
{
	if (!_running.exchange(false)) return;
	// Loops first: no new client frames; they close every connection with 1001.
	for (auto& loop: _loops) loop->stop();
	_runtime->hub.setLoops({});
	// Then the workers finish what was queued (messages being stored).
	_runtime->workers.stop();
	_loops.clear();
}

void WsServer::upgrade(Request& request, Response& response)
{
	auto& http = request.http();
	HandshakeResult result = Handshake::check(http.getMethod(), http.getURI(), http, _runtime->origins);
	if (result.accepted()) Handshake::readCredentials(http.getURI(), http, _runtime->origins, result);
	if (!result.accepted()) throw HttpError(result.status, result.code, result.message);
	if (!_running || _loops.empty()) throw HttpError::unavailable("WebSocket service not running");

	Poco::Net::StreamSocket socket = request.detachSocket();
	// Our own descriptor for the connection; Poco closes its copy.
	const int fd = ::fcntl(socket.impl()->sockfd(), F_DUPFD_CLOEXEC, 0);
	if (fd < 0) throw HttpError::unavailable("cannot take over the connection");

	Command command(Command::Type::Adopt);
	command.fd = fd;
	command.upgraded = true;
	command.initial = Handshake::switchingProtocols(result.acceptKey);
	command.handshake = result;
	_loops[_nextLoop++ % _loops.size()]->post(std::move(command));
}

void WsServer::onUser(const Poco::JSON::Object::Ptr& user, const char* frameType)
{
	if (!user || !_running) return;
	std::string json;
	JsonWriter::appendObject(json, *user, "type", frameType);
	_runtime->hub.deliverAll(WebSocketFrame::text(json));
}

void WsServer::onPush(const Poco::JSON::Object::Ptr& push)
{
	if (!push || !_running) return;
	const std::string frame = push->optValue<std::string>("frame", "");
	if (frame.empty()) return;
	// {"userIds": [...]}: a plugin's frame for several users (docs/PLUGINS.md).
	if (Poco::JSON::Array::Ptr ids = push->getArray("userIds"))
	{
		std::vector<Poco::Int64> userIds;
		userIds.reserve(ids->size());
		for (std::size_t i = 0; i < ids->size(); ++i)
		{
			const Poco::Dynamic::Var id = ids->get(static_cast<unsigned>(i));
			if (id.isInteger()) userIds.push_back(id.convert<Poco::Int64>());
		}
		_runtime->hub.pushToUsers(userIds, frame, 0);
		return;
	}
	const Poco::Int64 userId = push->optValue<Poco::Int64>("userId", 0);
	if (userId <= 0) return;
	_runtime->hub.pushToUser(userId, frame);
}

void WsServer::onSessionEnded(const Poco::JSON::Object::Ptr& event)
{
	if (!event) return;
	const Poco::Int64 userId = event->optValue<Poco::Int64>("userId", 0);
	Poco::JSON::Array::Ptr ids = event->getArray("sessions");
	if (userId <= 0 || !ids) return;
	std::vector<std::string> sessions;
	sessions.reserve(ids->size());
	for (std::size_t i = 0; i < ids->size(); ++i)
	{
		const Poco::Dynamic::Var id = ids->get(static_cast<unsigned>(i));
		if (id.isString()) sessions.push_back(id.extract<std::string>());
	}
	_runtime->hub.endSessions(userId, sessions);
}

void WsServer::onPresence(const Poco::JSON::Object::Ptr& presence)
{
	if (!presence || !presence->has("_origin")) return;
	const Poco::Int64 userId = presence->optValue<Poco::Int64>("userId", 0);
	if (userId <= 0) return;
	const std::string node = presence->getValue<std::string>("_origin");
	heardFrom(node);
	_runtime->hub.remotePresence(node, userId, presence->optValue<bool>("online", false));
}

void WsServer::onPresenceSnapshot(const Poco::JSON::Object::Ptr& snapshot)
{
	if (!snapshot || !snapshot->has("_origin")) return;
	std::vector<Poco::Int64> userIds;
	Poco::JSON::Array::Ptr users = snapshot->getArray("users");
	if (users)
	{
		userIds.reserve(users->size());
		for (std::size_t i = 0; i < users->size(); ++i)
		{
			const Poco::Int64 id = users->getElement<Poco::Int64>(static_cast<unsigned>(i));
			if (id > 0) userIds.push_back(id);
		}
	}
	const std::string node = snapshot->getValue<std::string>("_origin");
	heardFrom(node);
	_runtime->hub.replaceNode(node, userIds);
}

void WsServer::heardFrom(const std::string& node)
{
	std::lock_guard<std::mutex> lock(_nodesMutex);
	_nodesHeard[node] = Poco::Timestamp().epochMicroseconds();
}

void WsServer::onHeartbeat(const Poco::JSON::Object::Ptr& event)
{
	if (!event || event->has("_origin")) return;
	onNodeUp(event);
	const Poco::Int64 intervalUs = event->optValue<Poco::Int64>("intervalMs", 10000) * 1000;
	const Poco::Int64 now = Poco::Timestamp().epochMicroseconds();
	std::vector<std::string> silent;
	{
		std::lock_guard<std::mutex> lock(_nodesMutex);
		for (auto it = _nodesHeard.begin(); it != _nodesHeard.end();)
		{
			if (now - it->second > 3 * intervalUs)
			{
				silent.push_back(it->first);
				it = _nodesHeard.erase(it);
			}
			else
			{
				++it;
			}
		}
	}
	for (const auto& node: silent)
	{
		_runtime->logger.warning("ws: no presence from node %s for %Ld ms: its users are offline", node, 3 * intervalUs / 1000);
		_runtime->hub.replaceNode(node, {});
	}
}

void WsServer::onNodeUp(const Poco::JSON::Object::Ptr&)
{
	// This node (re)joined, or another one did: tell them who is here.
	EventBus* events = _runtime->events;
	if (!events) return;
	_runtime->hub.announce([events](const std::vector<Poco::Int64>& userIds)
	{
		Poco::JSON::Array::Ptr users = new Poco::JSON::Array;
		for (Poco::Int64 id: userIds) users->add(id);
		Poco::JSON::Object::Ptr snapshot = new Poco::JSON::Object;
		snapshot->set("users", users);
		events->publish("ws.presence.snapshot", snapshot);
	});
}

void WsServer::onMessageStored(const Poco::JSON::Object::Ptr& message)
{
	if (!message || !_running) return;
	// A message to a group: the groups plugin knows its members and pushes it.
	if (message->has("groupId") && !message->isNull("groupId")) return;
	const Poco::Int64 id = message->getValue<Poco::Int64>("id");
	const Poco::Int64 from = message->getValue<Poco::Int64>("fromUserId");
	const Poco::Int64 to = message->getValue<Poco::Int64>("toUserId");
	// Serialised once (straight from the payload, no copy of the object);
	// the bytes are shared by every receiving connection.
	const FrameBytes frame = WebSocketFrame::text(Dispatcher::chatmsgJson(*message));
	_runtime->hub.deliver({from, to}, frame, id);
}

void WsServer::onMessageUpdated(const Poco::JSON::Object::Ptr& payload)
{
	if (!payload || !_running) return;
	MessageUpdate update;
	try
	{
		update = MessageUpdate::fromJson(*payload);
	}
	catch (Poco::Exception& e)
	{
		_runtime->logger.warning("ws: a message.updated event without its keys: %s", e.displayText());
		return;
	}
	if (update.message.groupId != 0) return;
	const FrameBytes frame = WebSocketFrame::text(update.frameJson());
	// Keyed by the event id: a replay that already brought it drops the live copy.
	_runtime->hub.deliver({update.message.fromUserId, update.message.toUserId}, frame, update.eventId);
}

} } // namespace Palaver::Ws
