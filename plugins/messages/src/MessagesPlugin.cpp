#include "MessagesPlugin.h"
#include "ConversationRoutes.h"
#include "GroupCommitWriter.h"
#include "MessageRepository.h"
#include "MessageRoutes.h"
#include "MessageService.h"
#include "ReadCursors.h"
#include "SearchIndex.h"
#include "SearchRoutes.h"
#include "palaver/Database.h"
#include "palaver/EventBus.h"
#include "palaver/Events.h"
#include "palaver/Failure.h"
#include "palaver/Metrics.h"
#include "palaver/PluginContext.h"
#include "palaver/ServiceRegistry.h"
#include "palaver/services/GroupDirectory.h"
#include "palaver/services/MessageStore.h"
#include "palaver/services/UserDirectory.h"
#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/Util/AbstractConfiguration.h>
#include <algorithm>

namespace Palaver {
namespace Messages {

MessagesPlugin::MessagesPlugin() = default;

MessagesPlugin::~MessagesPlugin()
{
	stop();
}

PluginInfo MessagesPlugin::info() const
{
	PluginInfo info;
	info.name = "messages";
	info.version = "1.0.0";
	info.needs = {"auth"};
	info.settings = {
		Setting::integer("max_length", 4096, 1, 1000000, "the longest message text, in characters"),
		Setting::integer("max_batch", 512, 1, 100000, "messages the writer commits in one transaction at most"),
		Setting::integer("max_queue", 10000, 1, 10000000, "messages waiting for the writer at most; beyond, posts are refused with 503"),
		Setting::integer("write_timeout", 10, 1, 3600, "seconds a post waits for its commit before it is answered 503"),
		Setting::integer("known_users_cache", 100000, 0, 100000000, "receivers remembered as existing (0: look every one up)"),
		Setting::integer("edit_window", 900, 0, 10L * 365 * 86400, "seconds after sending during which a message may be edited"),
		Setting::boolean("search_index", true, "keep the full-text index of messages (GET /search; false: no such route)"),
		Setting::integer("search_purge_delay", 60, 1, 86400, "seconds after a deletion before its text leaves the search index"),
	};
	return info;
}

void MessagesPlugin::initialize(PluginContext& context)
{
	const auto& config = context.config();
	// Declared in info(): palaverd has checked the ranges and supplies the defaults.
	const auto maxLength = static_cast<std::size_t>(config.getInt64("max_length"));
	GroupCommitWriter::Options options;
	options.maxBatch = static_cast<std::size_t>(config.getInt64("max_batch"));
	options.maxQueue = static_cast<std::size_t>(config.getInt64("max_queue"));
	options.timeoutMs = config.getInt64("write_timeout") * 1000;
	const auto knownUsers = static_cast<std::size_t>(config.getInt64("known_users_cache"));
	const Poco::Int64 editWindow = config.getInt64("edit_window") * Poco::Int64(1000000);
	const bool searchIndex = config.getBool("search_index");
	const std::chrono::seconds purgeDelay(config.getInt64("search_purge_delay"));

	auto users = context.services().require<UserDirectory>();
	Poco::Logger& logger = context.logger();

	_repository.reset(new MessageRepository(context.database(), logger));
	_repository->migrate();
	_cursors.reset(new ReadCursors(context.database(), logger));
	_cursors->migrate();
	_search.reset(new SearchIndex(context.database(), *_repository, logger, purgeDelay));
	_search->migrate();
	_search->setEnabled(searchIndex);

	GroupCommitWriter::Metrics metrics;
	metrics.stored = &context.metrics().counter("palaver_messages_stored_total", "Messages stored");
	metrics.failed = &context.metrics().counter("palaver_messages_failed_total", "Messages refused with 503 (failed batch, full queue, time-out)");
	metrics.batches = &context.metrics().counter("palaver_messages_batches_total", "Transactions committed by the message writer");
	metrics.batchSize = &context.metrics().gauge("palaver_messages_batch_size", "Messages in the last committed batch");
	metrics.queued = &context.metrics().gauge("palaver_messages_queue_length", "Messages waiting for the writer");

	EventBus& events = context.events();
	_writer.reset(new GroupCommitWriter(
		[this](std::vector<Message*>& batch) { _repository->insert(batch); },
		[&events](const Message& message) { events.publish(Events::MESSAGE_STORED, message.toJson()); },
		options, logger, metrics));

	_service = std::make_shared<MessageService>(*_repository, *_cursors, *_writer,
		[users](Poco::Int64 id) { return users->findUser(id).isSpecified(); },
		TextRules(maxLength), knownUsers, editWindow,
		[&events, this](const MessageUpdate& update)
		{
			events.publish(Events::MESSAGE_UPDATED, update.toJson());
			if (update.message.deleted) _search->deleted();
		},
		[&services = context.services()](Poco::Int64 userId)
		{
			auto groups = services.find<GroupDirectory>();
			return groups ? groups->windowsOf(userId) : std::vector<MessageStore::GroupWindow>();
		});
	_service->useAttachments(std::make_shared<MessageAttachments>(context.services()));
	context.services().offer<MessageStore>(_service);
	// A newly registered user exists from now on: spare the first look-up.
	std::weak_ptr<MessageService> service = _service;
	events.subscribe(Events::USER_REGISTERED, [service](const std::string&, const Poco::JSON::Object::Ptr& user)
	{
		auto messages = service.lock();
		if (messages && user && user->has("id")) messages->knowUser(user->getValue<Poco::Int64>("id"));
	});
	Poco::Logger* log = &logger;
	events.subscribe(Events::USER_DELETED, [service, log](const std::string&, const Poco::JSON::Object::Ptr& user)
	{
		auto messages = service.lock();
		if (!messages || !user || !user->has("id")) return;
		const Poco::Int64 userId = user->getValue<Poco::Int64>("id");
		Failure::logged(*log, "messages: forgetting the name of deleted user " + std::to_string(userId),
			[&] { messages->userDeleted(userId, !user->has("_origin")); });
	});

	// The body must hold max_length characters of up to 4 bytes each, even
	// percent-encoded (3 bytes per byte), plus the field name.
	const std::size_t serverLimit = static_cast<std::size_t>(context.serverConfig().getInt64("http.max_body_size", 65536));
	const std::size_t maxBody = std::max(serverLimit, maxLength * 12 + 1024);
	_routes.reset(new MessageRoutes(*_service, users));
	_routes->registerWith(context.router(), maxBody);
	_conversations.reset(new ConversationRoutes(*_service, *_repository, *_cursors, users, context.services(), events));
	_conversations->registerWith(context.router());
	// Without the index there is nothing to search: no route (404).
	if (searchIndex)
	{
		_searchRoutes.reset(new SearchRoutes(*_search, users, context.services()));
		_searchRoutes->registerWith(context.router());
	}

	logger.information("messages: max_length %z, max_batch %z, write_timeout %ld ms", maxLength, options.maxBatch, options.timeoutMs);
}

void MessagesPlugin::start()
{
	if (_writer) _writer->start();
	if (_search) _search->start();
}

void MessagesPlugin::stop()
{
	if (_writer) _writer->stop();
	if (_search) _search->stop();
}

} } // namespace Palaver::Messages

PALAVER_PLUGIN(Palaver::Messages::MessagesPlugin)
