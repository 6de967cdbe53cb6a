#include "GroupsPlugin.h"
#include "GroupFrames.h"
#include "GroupRepository.h"
#include "GroupRoutes.h"
#include "GroupService.h"
#include "palaver/Events.h"
#include "palaver/Message.h"
#include "palaver/PluginContext.h"
#include "palaver/ServiceRegistry.h"
#include "palaver/services/ClientFrames.h"
#include <Poco/Logger.h>
#include <Poco/Util/AbstractConfiguration.h>
#include <algorithm>

namespace Palaver {
namespace Groups {

namespace {

bool isGroupMessage(const Poco::JSON::Object::Ptr& message)
{
	return message && message->has("groupId") && !message->isNull("groupId");
}

} // namespace

GroupsPlugin::GroupsPlugin() = default;

GroupsPlugin::~GroupsPlugin()
{
	stop();
}

PluginInfo GroupsPlugin::info() const
{
	PluginInfo info;
	info.name = "groups";
	info.version = "1.0.0";
	// Without auth or messages it stays idle (warned), as ws does without
	// messages, so that a server with those turned off still starts.
	info.uses = {"auth", "messages", "ws"};
	info.settings = {
		Setting::integer("max_members", 1024, 1, 100000, "members of one group at most; creating or adding past it: 409 limit_reached"),
		Setting::integer("max_groups_per_user", 500, 1, 1000000, "existing groups one user created at most; past it POST /groups answers 409 limit_reached"),
	};
	return info;
}

void GroupsPlugin::initialize(PluginContext& context)
{
	_context = &context;
	const auto& config = context.config();
	GroupService::Limits limits;
	limits.maxMembers = static_cast<std::size_t>(config.getInt64("max_members"));
	limits.maxGroupsPerUser = static_cast<std::size_t>(config.getInt64("max_groups_per_user"));

	auto users = context.services().find<UserDirectory>();
	auto store = context.services().find<MessageStore>();
	if (!users || !store)
	{
		context.logger().warning("groups: needs the auth and messages plugins: no groups on this server");
		return;
	}
	_repository.reset(new GroupRepository(context.database(), context.logger()));
	_repository->migrate();
	_service = std::make_shared<GroupService>(*_repository, store, users, context.events(), limits);
	context.services().offer<GroupDirectory>(_service);

	if (auto pusher = context.services().find<Pusher>()) _service->setPusher(pusher);
	else context.logger().warning("groups: no ws plugin: group messages are not pushed");
	_frames = context.services().find<ClientFrames>();
	if (_frames) GroupFrames::registerWith(*_frames, *_service);

	// Every node's plugin hears of every group message and pushes it to its
	// own connections.
	GroupService* service = _service.get();
	_subscriptions.push_back(context.events().subscribe(Events::MESSAGE_STORED,
		[service](const std::string&, const Poco::JSON::Object::Ptr& message)
		{
			if (isGroupMessage(message)) service->messageStored(Message::fromJson(*message));
		}));
	// Edits and deletions (issue 18): {"eventId", "message"}.
	_subscriptions.push_back(context.events().subscribe(Events::MESSAGE_UPDATED,
		[service](const std::string&, const Poco::JSON::Object::Ptr& update)
		{
			if (!update || !update->has("eventId")) return;
			Poco::JSON::Object::Ptr message = update->getObject("message");
			if (isGroupMessage(message)) service->messageUpdated(update->getValue<Poco::Int64>("eventId"), Message::fromJson(*message));
		}));

	// Members changed here or on another node: read again at the next message.
	_subscriptions.push_back(context.events().subscribe(Events::GROUP_MEMBERS,
		[service](const std::string&, const Poco::JSON::Object::Ptr& event)
		{
			const Poco::Int64 groupId = event ? event->optValue<Poco::Int64>("groupId", 0) : 0;
			if (groupId > 0) service->membersChangedElsewhere(groupId);
		}));

	// The body must hold [messages] max_length characters of up to 4 bytes
	// each, even percent-encoded (3 bytes per byte), plus the field name.
	const std::size_t maxLength = static_cast<std::size_t>(context.serverConfig().getInt64("messages.max_length", 4096));
	const std::size_t serverLimit = static_cast<std::size_t>(context.serverConfig().getInt64("http.max_body_size", 65536));
	_routes.reset(new GroupRoutes(*_service, users));
	_routes->registerWith(context.router(), std::max(serverLimit, maxLength * 12 + 1024));

	context.logger().information("groups: max_members %z, max_groups_per_user %z", limits.maxMembers, limits.maxGroupsPerUser);
}

void GroupsPlugin::start()
{
	if (_service) _service->start();
}

void GroupsPlugin::stop()
{
	if (_context)
	{
		for (auto id: _subscriptions) _context->events().unsubscribe(id);
	}
	_subscriptions.clear();
	// Its frame handlers are its code: back from ws before it is unloaded.
	if (_frames) GroupFrames::unregisterFrom(*_frames);
	_frames.reset();
	if (_service) _service->stop();
}

} } // namespace Palaver::Groups

PALAVER_PLUGIN(Palaver::Groups::GroupsPlugin)
