#include "BusEvents.h"
#include "Dispatcher.h"
#include "ReloadState.h"
#include "palaver/Events.h"
#include "palaver/JsonWriter.h"
#include "palaver/MessageUpdate.h"
#include <Poco/JSON/Array.h>
#include <Poco/Timestamp.h>

namespace Palaver {
namespace Ws {

namespace {

// The integers of a JSON array of ids (anything else is skipped).
std::vector<Poco::Int64> integers(const Poco::JSON::Array& ids)
{
	std::vector<Poco::Int64> values;
	values.reserve(ids.size());
	for (std::size_t i = 0; i < ids.size(); ++i)
	{
		const Poco::Dynamic::Var id = ids.get(static_cast<unsigned>(i));
		if (id.isInteger()) values.push_back(id.convert<Poco::Int64>());
	}
	return values;
}

} // namespace

BusEvents::BusEvents(std::shared_ptr<Runtime> runtime):
	_runtime(std::move(runtime))
{
}

void BusEvents::onUser(const Poco::JSON::Object::Ptr& user, const char* frameType)
{
	if (!user) return;
	std::string json;
	JsonWriter::appendObject(json, *user, "type", frameType);
	_runtime->hub.deliverAll(WebSocketFrame::text(json));
}

void BusEvents::onPush(const Poco::JSON::Object::Ptr& push)
{
	if (!push) return;
	const std::string frame = push->optValue<std::string>("frame", "");
	if (frame.empty()) return;
	// {"userIds": [...]}: a plugin's frame for several users (docs/PLUGINS.md).
	if (Poco::JSON::Array::Ptr ids = push->getArray("userIds"))
	{
		_runtime->hub.pushToUsers(integers(*ids), frame, 0);
		return;
	}
	const Poco::Int64 userId = push->optValue<Poco::Int64>("userId", 0);
	if (userId <= 0) return;
	_runtime->hub.pushToUser(userId, frame);
}

void BusEvents::onSessionEnded(const Poco::JSON::Object::Ptr& event)
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

void BusEvents::onPresence(const Poco::JSON::Object::Ptr& presence)
{
	if (!presence || !presence->has("_origin")) return;
	const Poco::Int64 userId = presence->optValue<Poco::Int64>("userId", 0);
	if (userId <= 0) return;
	const std::string node = presence->getValue<std::string>("_origin");
	heardFrom(node);
	_runtime->hub.remotePresence(node, userId, presence->optValue<bool>("online", false));
}

void BusEvents::onPresenceSnapshot(const Poco::JSON::Object::Ptr& snapshot)
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

void BusEvents::heardFrom(const std::string& node)
{
	std::lock_guard<std::mutex> lock(_nodesMutex);
	_nodesHeard[node] = Poco::Timestamp().epochMicroseconds();
}

void BusEvents::saveTo(ReloadState& state)
{
	std::lock_guard<std::mutex> lock(_nodesMutex);
	state.nodesHeard.insert(_nodesHeard.begin(), _nodesHeard.end());
}

void BusEvents::restoreFrom(const ReloadState& state)
{
	std::lock_guard<std::mutex> lock(_nodesMutex);
	_nodesHeard.insert(state.nodesHeard.begin(), state.nodesHeard.end());
}

void BusEvents::onHeartbeat(const Poco::JSON::Object::Ptr& event)
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

void BusEvents::onNodeUp(const Poco::JSON::Object::Ptr&)
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
		events->publish(Events::WS_PRESENCE_SNAPSHOT, snapshot);
	});
}

void BusEvents::onMessageStored(const Poco::JSON::Object::Ptr& message)
{
	if (!message) return;
	// A message to a group: the groups plugin knows its members and pushes it.
	if (message->has("groupId") && !message->isNull("groupId")) return;
	const Poco::Int64 id = message->getValue<Poco::Int64>("id");
	const Poco::Int64 from = message->getValue<Poco::Int64>("fromUserId");
	const Poco::Int64 to = message->getValue<Poco::Int64>("toUserId");
	// Serialised once (straight from the payload, no copy of the object);
	// the bytes are shared by every receiving connection.
	const WebSocketFrame::Ptr frame = WebSocketFrame::text(Dispatcher::chatmsgJson(*message));
	_runtime->hub.deliver({from, to}, frame, id);
	_runtime->hub.partnersMet(from, to);
}

void BusEvents::onGroupMembers(const Poco::JSON::Object::Ptr& event)
{
	if (!event) return;
	const Poco::Int64 groupId = event->optValue<Poco::Int64>("groupId", 0);
	Poco::JSON::Array::Ptr ids = event->getArray("memberIds");
	if (groupId <= 0 || !ids) return;
	_runtime->hub.groupMembers(groupId, integers(*ids));
}

void BusEvents::onMessageUpdated(const Poco::JSON::Object::Ptr& payload)
{
	if (!payload) return;
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
	const WebSocketFrame::Ptr frame = WebSocketFrame::text(update.frameJson());
	// Keyed by the event id: a replay that already brought it drops the live copy.
	_runtime->hub.deliver({update.message.fromUserId, update.message.toUserId}, frame, update.eventId);
}

} } // namespace Palaver::Ws
