#include "PushPlugin.h"
#include "EndpointGuard.h"
#include "PayloadCipher.h"
#include "PushRoutes.h"
#include "PushSender.h"
#include "SubscriptionRepository.h"
#include "VapidKey.h"
#include "VapidKeyStore.h"
#include "palaver/Events.h"
#include "palaver/Failure.h"
#include "palaver/JsonWriter.h"
#include "palaver/Metrics.h"
#include "palaver/PluginContext.h"
#include "palaver/ServiceRegistry.h"
#include "palaver/Setting.h"
#include "palaver/services/GroupDirectory.h"
#include "palaver/services/UserDirectory.h"
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Logger.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Path.h>
#include <Poco/Util/AbstractConfiguration.h>

namespace Palaver {
namespace Push {

namespace {

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

/// The message's attachment as the payload tells of it: its type, and its
/// name only when the text may be shown (a file's name is words too);
/// nothing without an attachment.
void appendAttachment(std::string& out, const std::string& attachment, bool includeName)
{
	if (attachment.empty()) return;
	const Poco::JSON::Object::Ptr object = Poco::JSON::Parser().parse(attachment).extract<Poco::JSON::Object::Ptr>();
	out += ",\"attachment\":{";
	if (includeName)
	{
		out += "\"name\":";
		JsonWriter::appendString(out, cut(object->optValue<std::string>("name", ""), 128));
		out += ",";
	}
	out += "\"type\":";
	JsonWriter::appendString(out, cut(object->optValue<std::string>("type", ""), 64));
	out += "}";
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
	info.settings = {
		Setting::boolean("include_text", false, "put the message text in the push payload; off, the push service (Google's, Mozilla's, Apple's) never sees the words, only who wrote in which chat"),
		Setting::string("subject", "", "the VAPID contact (the JWT's sub), a mailto: or https: URL; empty: [http] public_url when it is https, else mailto:postmaster@localhost"),
		Setting::integer("ttl", 86400, 0, 2419200, "seconds a push service keeps a push the browser has not fetched (the TTL header)"),
		Setting::integer("senders", 4, 1, 64, "threads sending pushes; a hanging push service holds one for at most connect_timeout + response_timeout"),
		Setting::integer("queue", 10000, 1, 1000000, "pushes waiting at most; beyond it new ones are dropped, logged and counted (palaver_push_dropped_total)"),
		Setting::integer("max_attempts", 5, 1, 20, "tries per push on 429, 5xx or a network failure"),
		Setting::integer("retry_delay", 1000, 1, 3600000, "milliseconds before the first retry, doubled for each further one, at least the service's Retry-After, at most 10 minutes"),
		Setting::integer("connect_timeout", 5000, 1, 120000, "milliseconds to connect to a push service"),
		Setting::integer("response_timeout", 10000, 1, 120000, "milliseconds to wait for each read and write of a push service's answer (read up to 64 KiB)"),
		Setting::integer("drain_timeout", 3000, 0, 60000, "milliseconds a stop (reload or shutdown) goes on sending the pushes queued and due before it drops the rest (retries not yet due are dropped); a push in progress then ends within connect_timeout + response_timeout"),
		Setting::integer("max_subscriptions_per_user", 20, 1, 1000, "browsers per user; past it POST /push/subscriptions answers 409 limit_reached"),
		Setting::boolean("allow_insecure_endpoints", false, "accept http endpoints and loopback, private and link-local addresses: tests only, it lets any user make the server POST into its own network"),
	};
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
	appendAttachment(head, message.attachment, includeText);
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
	_includeText = config.getBool("include_text");
	const bool allowInsecure = config.getBool("allow_insecure_endpoints");
	PushSender::Settings settings;
	settings.threads = static_cast<std::size_t>(config.getInt64("senders"));
	settings.maxQueue = static_cast<std::size_t>(config.getInt64("queue"));
	settings.maxAttempts = static_cast<unsigned>(config.getInt64("max_attempts"));
	settings.retryDelayMs = config.getInt64("retry_delay");
	settings.connectTimeoutMs = config.getInt64("connect_timeout");
	settings.responseTimeoutMs = config.getInt64("response_timeout");
	settings.ttlSeconds = config.getInt64("ttl");
	settings.drainMs = config.getInt64("drain_timeout");
	const std::string publicUrl = context.serverConfig().getString("http.public_url", "");
	settings.subject = config.getString("subject");
	if (settings.subject.empty()) settings.subject = publicUrl.compare(0, 8, "https://") == 0 ? publicUrl : "mailto:postmaster@localhost";
	if (settings.subject.compare(0, 7, "mailto:") != 0 && settings.subject.compare(0, 8, "https://") != 0)
		throw Poco::InvalidArgumentException("[push] subject must be a mailto: or https: URL");
	const std::size_t maxPerUser = static_cast<std::size_t>(config.getInt64("max_subscriptions_per_user"));

	auto users = context.services().find<UserDirectory>();
	if (!users)
	{
		context.logger().warning("push: needs the auth plugin: no push on this server");
		return;
	}
	_pusher = context.services().find<Pusher>();
	_groups = context.services().find<GroupDirectory>();
	if (!_pusher) context.logger().warning("push: no ws plugin: every user counts as offline and gets every message pushed");

	_guard.reset(new EndpointGuard(allowInsecure));
	if (allowInsecure) context.logger().warning("push: allow_insecure_endpoints is on: pushes may go to http and private addresses (tests only)");
	_repository.reset(new SubscriptionRepository(context.database()));
	_repository->migrate();
	_key.reset(new VapidKey(VapidKeyStore(context.database()).load(Poco::Path(context.stateDirectory(), "vapid.pem").toString(), context.logger())));

	PushSender::Counters counters;
	counters.sent = &context.metrics().counter("palaver_push_sent_total", "Web Push messages a push service accepted");
	counters.failed = &context.metrics().counter("palaver_push_failed_total", "Web Push messages given up");
	counters.dropped = &context.metrics().counter("palaver_push_dropped_total", "Web Push messages not queued: the queue was full");
	_sender.reset(new PushSender(*_repository, *_key, *_guard, settings, counters, context.logger()));
	_routes.reset(new PushRoutes(*_repository, *_key, *_guard, users, context.origins(), maxPerUser));
	_routes->registerWith(context.router());

	// Database changes happen once for the cluster: on the node of origin,
	// on the cleaner's thread (the publisher never waits for the database).
	_cleaner.reset(new WorkerPool(1, CLEANER_QUEUE, "push-cleanup"));
	_subscriptions.push_back(context.events().subscribe(Events::MESSAGE_STORED,
		[this](const std::string&, const Poco::JSON::Object::Ptr& message) { messageStored(message); }));
	_subscriptions.push_back(context.events().subscribe(Events::SESSION_ENDED,
		[this](const std::string&, const Poco::JSON::Object::Ptr& event) { sessionsEnded(event); }));
	_subscriptions.push_back(context.events().subscribe(Events::USER_DELETED,
		[this](const std::string&, const Poco::JSON::Object::Ptr& event) { userDeleted(event); }));
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

void PushPlugin::sessionsEnded(const Poco::JSON::Object::Ptr& event)
{
	Poco::JSON::Array::Ptr ids = event ? event->getArray("sessions") : nullptr;
	if (!ids || event->has("_origin")) return;
	std::vector<std::string> sessions;
	for (std::size_t i = 0; i < ids->size(); ++i)
	{
		const Poco::Dynamic::Var id = ids->get(static_cast<unsigned>(i));
		if (id.isString()) sessions.push_back(id.extract<std::string>());
	}
	const Poco::Int64 userId = event->optValue<Poco::Int64>("userId", 0);
	SubscriptionRepository* repository = _repository.get();
	clean("the sessions of user " + std::to_string(userId), [repository, userId, sessions]() { repository->removeSessions(userId, sessions); });
}

void PushPlugin::userDeleted(const Poco::JSON::Object::Ptr& event)
{
	if (!event || event->has("_origin")) return;
	const Poco::Int64 userId = event->optValue<Poco::Int64>("id", 0);
	SubscriptionRepository* repository = _repository.get();
	clean("the deleted user " + std::to_string(userId), [repository, userId]() { repository->removeUser(userId); });
}

void PushPlugin::clean(const std::string& whose, std::function<void()> removal)
{
	Poco::Logger* logger = &_context->logger();
	const bool queued = _cleaner->submit([logger, whose, removal]()
	{
		Failure::logged(*logger, "push: removing the subscriptions of " + whose, removal);
	});
	if (!queued) _context->logger().error("push: the subscriptions of %s were not removed: the clean-up queue is full", whose);
}

void PushPlugin::start()
{
	if (!_sender) return;
	Poco::Net::initializeSSL();
	_cleaner->start();
	_sender->start();
}

void PushPlugin::stop()
{
	if (_context)
	{
		for (auto id: _subscriptions) _context->events().unsubscribe(id);
		_subscriptions.clear();
	}
	// What is queued for removal still runs (WorkerPool::stop()).
	if (_cleaner) _cleaner->stop();
	if (_sender)
	{
		_sender->stop();
		_sender.reset();
		Poco::Net::uninitializeSSL();
	}
}

} } // namespace Palaver::Push

PALAVER_PLUGIN(Palaver::Push::PushPlugin)
