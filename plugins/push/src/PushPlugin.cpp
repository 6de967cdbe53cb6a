#include "PushPlugin.h"
#include "EndpointGuard.h"
#include "PayloadCipher.h"
#include "PushRoutes.h"
#include "PushSender.h"
#include "SubscriptionRepository.h"
#include "VapidKey.h"
#include "palaver/Events.h"
#include "palaver/JsonWriter.h"
#include "palaver/Metrics.h"
#include "palaver/PluginContext.h"
#include "palaver/ServiceRegistry.h"
#include "palaver/services/GroupDirectory.h"
#include "palaver/services/UserDirectory.h"
#include <Poco/JSON/Array.h>
#include <Poco/Logger.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Path.h>
#include <Poco/Util/AbstractConfiguration.h>

namespace Palaver {
namespace Push {

namespace {

Poco::Int64 boundedKey(const Poco::Util::AbstractConfiguration& config, const std::string& key, Poco::Int64 defaultValue, Poco::Int64 min, Poco::Int64 max)
{
	const Poco::Int64 value = config.getInt64(key, defaultValue);
	if (value < min || value > max)
		throw Poco::InvalidArgumentException("[push] " + key + " must be from " + std::to_string(min) + " to " + std::to_string(max));
	return value;
}

void appendId(std::string& out, const char* name, Poco::Int64 id)
{
	out += ",\"";
	out += name;
	out += "\":";
	if (id) JsonWriter::appendInt(out, id);
	else out += "null";
}

/// text cut to at most bytes bytes, never inside a UTF-8 sequence.
std::string cut(const std::string& text, std::size_t bytes)
{
	if (text.size() <= bytes) return text;
	while (bytes > 0 && (static_cast<unsigned char>(text[bytes]) & 0xC0) == 0x80) --bytes;
	return text.substr(0, bytes);
}

} // namespace

PushPlugin::PushPlugin() = default;

PushPlugin::~PushPlugin()
{
	stop();
}

PluginInfo PushPlugin::info() const
{
	PluginInfo info;
	info.name = "push";
	info.version = "1.0.0";
	// Without auth it stays idle (warned), as groups does, so that a server
	// with auth turned off still starts.
	info.uses = {"auth", "messages", "ws", "groups"};
	return info;
}

std::string PushPlugin::payload(const Message& message, bool includeText)
{
	std::string head = "{\"type\":";
	JsonWriter::appendString(head, message.groupId ? "groupmsg" : "chatmsg");
	head += ",\"id\":";
	JsonWriter::appendInt(head, message.id);
	head += ",\"fromUserId\":";
	JsonWriter::appendInt(head, message.fromUserId);
	head += ",\"fromUserName\":";
	JsonWriter::appendString(head, cut(message.fromUserName, 256));
	appendId(head, "toUserId", message.toUserId);
	appendId(head, "groupId", message.groupId);
	if (!includeText) return head + "}";
	// Escaping makes the text longer (6 bytes at most per byte): cut it
	// until it fits, a few rounds at most.
	std::string text = message.text;
	for (;;)
	{
		std::string json = head + ",\"text\":";
		JsonWriter::appendString(json, text);
		json += "}";
		if (json.size() <= PayloadCipher::MAX_PLAINTEXT) return json;
		text = cut(text, text.size() - std::max<std::size_t>((json.size() - PayloadCipher::MAX_PLAINTEXT + 5) / 6, 1));
	}
}

void PushPlugin::initialize(PluginContext& context)
{
	_context = &context;
	const auto& config = context.config();
	_includeText = config.getBool("include_text", false);
	const bool allowInsecure = config.getBool("allow_insecure_endpoints", false);
	PushSender::Settings settings;
	settings.threads = static_cast<std::size_t>(boundedKey(config, "senders", 4, 1, 64));
	settings.maxQueue = static_cast<std::size_t>(boundedKey(config, "queue", 10000, 1, 1000000));
	settings.maxAttempts = static_cast<unsigned>(boundedKey(config, "max_attempts", 5, 1, 20));
	settings.retryDelayMs = boundedKey(config, "retry_delay", 1000, 1, 3600000);
	settings.connectTimeoutMs = boundedKey(config, "connect_timeout", 5000, 1, 120000);
	settings.responseTimeoutMs = boundedKey(config, "response_timeout", 10000, 1, 120000);
	settings.ttlSeconds = boundedKey(config, "ttl", 86400, 0, 2419200);
	const std::string publicUrl = context.serverConfig().getString("http.public_url", "");
	settings.subject = config.getString("subject", publicUrl.compare(0, 8, "https://") == 0 ? publicUrl : "mailto:postmaster@localhost");
	if (settings.subject.compare(0, 7, "mailto:") != 0 && settings.subject.compare(0, 8, "https://") != 0)
		throw Poco::InvalidArgumentException("[push] subject must be a mailto: or https: URL");
	const std::size_t maxPerUser = static_cast<std::size_t>(boundedKey(config, "max_subscriptions_per_user", 20, 1, 1000));

	auto users = context.services().find<UserDirectory>();
	if (!users)
	{
		context.logger().warning("push: needs the auth plugin: no push on this server");
		return;
	}
	_pusher = context.services().find<Pusher>();
	_groups = context.services().find<GroupDirectory>();
	if (!_pusher) context.logger().warning("push: no ws plugin: every user counts as offline and gets every message pushed");

	_key.reset(new VapidKey(VapidKey::loadOrCreate(Poco::Path(context.stateDirectory(), "vapid.pem").toString())));
	_guard.reset(new EndpointGuard(allowInsecure));
	if (allowInsecure) context.logger().warning("push: allow_insecure_endpoints is on: pushes may go to http and private addresses (tests only)");
	_repository.reset(new SubscriptionRepository(context.database()));
	_repository->migrate();

	PushSender::Counters counters;
	counters.sent = &context.metrics().counter("palaver_push_sent_total", "Web Push messages a push service accepted");
	counters.failed = &context.metrics().counter("palaver_push_failed_total", "Web Push messages given up");
	counters.dropped = &context.metrics().counter("palaver_push_dropped_total", "Web Push messages not queued: the queue was full");
	_sender.reset(new PushSender(*_repository, *_key, *_guard, settings, counters, context.logger()));
	_routes.reset(new PushRoutes(*_repository, *_key, *_guard, users, context.origins(), maxPerUser));
	_routes->registerWith(context.router());

	// Database changes happen once for the cluster: on the node of origin.
	SubscriptionRepository* repository = _repository.get();
	_subscriptions.push_back(context.events().subscribe(Events::MESSAGE_STORED,
		[this](const std::string&, const Poco::JSON::Object::Ptr& message) { messageStored(message); }));
	_subscriptions.push_back(context.events().subscribe(Events::SESSION_ENDED,
		[repository](const std::string&, const Poco::JSON::Object::Ptr& event)
		{
			Poco::JSON::Array::Ptr ids = event ? event->getArray("sessions") : nullptr;
			if (!ids || event->has("_origin")) return;
			std::vector<std::string> sessions;
			for (std::size_t i = 0; i < ids->size(); ++i)
			{
				const Poco::Dynamic::Var id = ids->get(static_cast<unsigned>(i));
				if (id.isString()) sessions.push_back(id.extract<std::string>());
			}
			repository->removeSessions(event->optValue<Poco::Int64>("userId", 0), sessions);
		}));
	_subscriptions.push_back(context.events().subscribe(Events::USER_DELETED,
		[repository](const std::string&, const Poco::JSON::Object::Ptr& event)
		{
			if (event && !event->has("_origin")) repository->removeUser(event->optValue<Poco::Int64>("id", 0));
		}));
	context.logger().information("push: include_text %b, %z senders, queue %z", _includeText, settings.threads, settings.maxQueue);
}

void PushPlugin::messageStored(const Poco::JSON::Object::Ptr& json)
{
	if (!json || json->has("_origin")) return;
	const Message message = Message::fromJson(*json);
	std::shared_ptr<Pusher> pusher = _pusher;
	std::shared_ptr<GroupDirectory> groups = _groups;
	if (message.groupId && !groups) return;
	// On a sender thread: a group's readers are a database read.
	auto recipients = [message, pusher, groups]()
	{
		std::vector<Poco::Int64> offline;
		const std::vector<Poco::Int64> readers = message.groupId
			? groups->readersOf(message.groupId, message.id)
			: std::vector<Poco::Int64>{message.toUserId};
		for (Poco::Int64 userId: readers)
		{
			if (userId > 0 && userId != message.fromUserId && !(pusher && pusher->isOnline(userId))) offline.push_back(userId);
		}
		return offline;
	};
	if (!_sender->notify(recipients, payload(message, _includeText)))
		_context->logger().warning("push: queue full: the push of message %Ld was dropped", message.id);
}

void PushPlugin::start()
{
	if (!_sender) return;
	Poco::Net::initializeSSL();
	_sender->start();
}

void PushPlugin::stop()
{
	if (_context)
	{
		for (auto id: _subscriptions) _context->events().unsubscribe(id);
		_subscriptions.clear();
	}
	if (_sender)
	{
		_sender->stop();
		_sender.reset();
		Poco::Net::uninitializeSSL();
	}
}

} } // namespace Palaver::Push

PALAVER_PLUGIN(Palaver::Push::PushPlugin)
