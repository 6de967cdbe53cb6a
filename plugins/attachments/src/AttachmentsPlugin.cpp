#include "AttachmentsPlugin.h"
#include "AttachmentRoutes.h"
#include "AttachmentService.h"
#include "AttachmentStore.h"
#include "ImagePoolSanitizer.h"
#include "ImageProcessor.h"
#include "Uploads.h"
#include "palaver/EventBus.h"
#include "palaver/Events.h"
#include "palaver/PeriodicTask.h"
#include "palaver/PluginContext.h"
#include "palaver/ServiceRegistry.h"
#include "palaver/WorkerPool.h"
#include "palaver/services/WorkQueue.h"
#include "palaver/services/UserDirectory.h"
#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/Path.h>
#include <Poco/Util/AbstractConfiguration.h>

namespace Palaver {
namespace Attachments {

namespace {

// An integer key within [min, max]; anything else stops the start with a clear line.
Poco::Int64 boundedKey(const Poco::Util::AbstractConfiguration& config, const std::string& key, Poco::Int64 defaultValue,
	Poco::Int64 min, Poco::Int64 max)
{
	const Poco::Int64 value = config.getInt64(key, defaultValue);
	if (value < min || value > max)
		throw Poco::InvalidArgumentException("[attachments] " + key + " must be from " + std::to_string(min) + " to " + std::to_string(max));
	return value;
}

} // namespace

AttachmentsPlugin::AttachmentsPlugin() = default;

AttachmentsPlugin::~AttachmentsPlugin()
{
	stop();
}

PluginInfo AttachmentsPlugin::info() const
{
	PluginInfo info;
	info.name = "attachments";
	info.version = "1.0.0";
	// Without auth (e.g. a server of the web client alone) it stays idle, as groups does.
	info.uses = {"auth", "groups"};
	return info;
}

void AttachmentsPlugin::initialize(PluginContext& context)
{
	const auto users = context.services().find<UserDirectory>();
	if (!users)
	{
		context.logger().warning("attachments: needs the auth plugin: no attachments on this server");
		return;
	}
	const auto& config = context.config();
	Uploads::Limits limits;
	limits.maxSize = static_cast<Poco::UInt64>(boundedKey(config, "max_size", 16 << 20, 1, Poco::Int64(1) << 40));
	limits.quota = static_cast<Poco::UInt64>(boundedKey(config, "quota", Poco::Int64(1) << 30, 1, Poco::Int64(1) << 50));
	const Poco::Int64 unattachedTtl = boundedKey(config, "unattached_ttl", 86400, 1, 10L * 365 * 86400);
	const Poco::Int64 expiryInterval = boundedKey(config, "expiry_interval", 3600, 1, 86400);
	const long uploadTimeoutMs = static_cast<long>(boundedKey(config, "upload_timeout", 300, 1, 86400) * 1000);
	ImageProcessor::Limits imageLimits;
	imageLimits.maxPixels = static_cast<Poco::UInt64>(boundedKey(config, "max_pixels", 50000000, 1, 1000000000));
	imageLimits.maxDimension = static_cast<int>(boundedKey(config, "max_dimension", 16384, 1, 100000));
	imageLimits.timeLimitMs = static_cast<long>(boundedKey(config, "image_time_limit", 10, 1, 600) * 1000);
	const auto imageWorkers = static_cast<std::size_t>(boundedKey(config, "image_workers", 2, 1, 64));
	const auto imageQueue = static_cast<std::size_t>(boundedKey(config, "image_queue", 64, 1, 100000));
	const std::string folder = config.getString("store_dir", Poco::Path(context.stateDirectory(), "files").toString());

	ImageProcessor::startLibrary();
	Poco::Logger& logger = context.logger();
	_store.reset(new AttachmentStore(context.database(), folder, logger));
	_store->migrate();
	_images.reset(new ImageProcessor(imageLimits));
	_imagePool.reset(new WorkerPool(imageWorkers, imageQueue, "attach-image"));
	_uploads.reset(new Uploads(*_store, *_images, *_imagePool, limits, logger));
	_routes.reset(new AttachmentRoutes(*_uploads, *_store, users, context.services()));
	_routes->registerWith(context.router(), uploadTimeoutMs);

	_service = std::make_shared<AttachmentService>(*_store, context.services().require<WorkQueue>(), logger);
	context.services().offer<AttachmentFiles>(_service);
	context.services().offer<ImageSanitizer>(std::make_shared<ImagePoolSanitizer>(*_images, *_imagePool));
	std::weak_ptr<AttachmentService> service = _service;
	context.events().subscribe(Events::MESSAGE_STORED, [service](const std::string&, const Poco::JSON::Object::Ptr& message)
	{
		if (auto attachments = service.lock()) attachments->messageStored(message);
	});
	context.events().subscribe(Events::MESSAGE_UPDATED, [service](const std::string&, const Poco::JSON::Object::Ptr& update)
	{
		if (auto attachments = service.lock()) attachments->messageUpdated(update);
	});

	AttachmentStore* store = _store.get();
	Poco::Logger* log = &logger;
	_expiry.reset(new PeriodicTask("attach-expiry", "attachments: expiry of unattached uploads",
		std::chrono::seconds(expiryInterval), [store, log, unattachedTtl]
		{
			const std::size_t removed = store->expire(unattachedTtl);
			if (removed > 0) log->information("attachments: removed %z uploads never sent", removed);
		}, logger));

	logger.information("attachments: store %s, max_size %s, quota %s, %z image workers", folder,
		std::to_string(limits.maxSize), std::to_string(limits.quota), imageWorkers);
}

void AttachmentsPlugin::start()
{
	if (_imagePool) _imagePool->start();
	if (_expiry) _expiry->start();
}

void AttachmentsPlugin::stop()
{
	if (_expiry) _expiry->stop();
	if (_imagePool) _imagePool->stop();
}

} } // namespace Palaver::Attachments

PALAVER_PLUGIN(Palaver::Attachments::AttachmentsPlugin)
