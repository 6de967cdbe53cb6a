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
#include "palaver/Setting.h"
#include "palaver/WorkerPool.h"
#include "palaver/services/WorkQueue.h"
#include "palaver/services/UserDirectory.h"
#include <Poco/Logger.h>
#include <Poco/Path.h>
#include <Poco/Util/AbstractConfiguration.h>

namespace Palaver {
namespace Attachments {

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
	// The groups plugin's GroupDirectory is looked up per request, never kept:
	// not a "uses", so reloading groups (or ws) at run time leaves this plugin running.
	info.uses = {"auth"};
	info.settings = {
		Setting::integer("max_size", 16 << 20, 1, Poco::Int64(1) << 40,
			"the largest file, bytes: a Content-Length past it (plus 64 KiB of form) is 413 before the body, a file part 413 as its bytes pass it"),
		Setting::integer("quota", Poco::Int64(1) << 30, 1, Poco::Int64(1) << 49,
			"bytes of stored files per user; 413 quota_exceeded at the head when used up, or as an upload's bytes pass what is left"),
		Setting::string("store_dir", "",
			"the folder of the files (empty: <[server] state_dir>/attachments/files); one folder shared by every node of a cluster, one file system"),
		Setting::integer("unattached_ttl", 86400, 1, Poco::Int64(10) * 365 * 86400, "seconds an upload never sent with a message is kept"),
		Setting::integer("expiry_interval", 3600, 1, 86400, "seconds between two looks for expired uploads"),
		Setting::integer("upload_timeout", 300, 1, 86400, "seconds a whole upload body may take from the end of its head; later 408"),
		Setting::integer("max_pixels", 50000000, 1, 1000000000,
			"pixels of an image at most (every frame counted), checked at its header before decoding; past it 413 image_too_large"),
		Setting::integer("max_dimension", 16384, 1, 100000, "pixels on either side of an image (one frame) at most; past it 413 image_too_large"),
		Setting::integer("image_time_limit", 10, 1, 600, "seconds to decode, strip and re-encode one image; later 413 image_too_large"),
		Setting::integer("image_workers", 2, 1, 64, "threads decoding images (uploads and avatars), a pool of the plugin's own"),
		Setting::integer("image_queue", 64, 1, 100000, "images waiting for an image thread at most; past it 503"),
	};
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
	// The declared ranges (info().settings) were checked by palaverd.
	limits.maxSize = config.getUInt64("max_size");
	limits.quota = config.getUInt64("quota");
	const Poco::Int64 unattachedTtl = config.getInt64("unattached_ttl");
	const Poco::Int64 expiryInterval = config.getInt64("expiry_interval");
	const long uploadTimeoutMs = static_cast<long>(config.getInt64("upload_timeout") * 1000);
	ImageProcessor::Limits imageLimits;
	imageLimits.maxPixels = config.getUInt64("max_pixels");
	imageLimits.maxDimension = config.getInt("max_dimension");
	imageLimits.timeLimitMs = static_cast<long>(config.getInt64("image_time_limit") * 1000);
	const auto imageWorkers = static_cast<std::size_t>(config.getUInt64("image_workers"));
	const auto imageQueue = static_cast<std::size_t>(config.getUInt64("image_queue"));
	std::string folder = config.getString("store_dir");
	if (folder.empty()) folder = Poco::Path(context.stateDirectory(), "files").toString();

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
