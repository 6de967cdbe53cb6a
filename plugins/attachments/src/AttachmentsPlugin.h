//
// AttachmentsPlugin.h
//

#ifndef Palaver_Attachments_AttachmentsPlugin_INCLUDED
#define Palaver_Attachments_AttachmentsPlugin_INCLUDED

#include "palaver/Plugin.h"
#include <memory>

namespace Palaver {

class PeriodicTask;
class WorkerPool;

namespace Attachments {

class AttachmentRoutes;
class AttachmentService;
class AttachmentStore;
class ImageProcessor;
class Uploads;

/// Photos and files in chats (PROTOCOL.md Part 2, "Attachments"): streamed
/// uploads to a store folder, images checked and stripped with libvips on a
/// pool of its own, /attachments routes, expiry of unattached uploads. See
/// plugins/attachments/README.md.
class AttachmentsPlugin: public Plugin
{
public:
	AttachmentsPlugin();
	~AttachmentsPlugin() override;

	PluginInfo info() const override;
	void initialize(PluginContext& context) override;
	void start() override;
	void stop() override;
	/// Its threads (the image pool, the expiry) are joined in stop(); the
	/// core takes its routes, subscribers and services back, and an upload
	/// still arriving then is answered 503 (GatedBodyReceiver in the core).
	/// Nothing to hand over: its state is in the database and the store folder.
	bool reloadable() const override { return true; }

private:
	std::unique_ptr<AttachmentStore> _store;
	std::unique_ptr<ImageProcessor> _images;
	std::unique_ptr<WorkerPool> _imagePool;
	std::shared_ptr<AttachmentService> _service;
	std::unique_ptr<Uploads> _uploads;
	std::unique_ptr<AttachmentRoutes> _routes;
	std::unique_ptr<PeriodicTask> _expiry;
};

} } // namespace Palaver::Attachments

#endif
