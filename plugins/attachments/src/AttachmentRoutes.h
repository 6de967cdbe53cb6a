//
// AttachmentRoutes.h
//

#ifndef Palaver_Attachments_AttachmentRoutes_INCLUDED
#define Palaver_Attachments_AttachmentRoutes_INCLUDED

#include "Attachment.h"
#include <Poco/Types.h>
#include <memory>
#include <string>

namespace Palaver {

class Request;
class Response;
class Router;
class ServiceRegistry;
class UserDirectory;

namespace Attachments {

class AttachmentStore;
class Uploads;

/// POST /attachments (streamed, see UploadReceiver), GET /attachments/{id}
/// and GET /attachments/{id}/thumbnail. A file is served to its uploader
/// and, once sent, to the message's receiver or to the group's members who
/// see that message (the groups plugin's GroupDirectory); anyone else gets
/// 404, as for an id that does not exist. Served files carry nosniff, a CSP
/// that runs nothing, Cache-Control: private, Content-Disposition:
/// attachment for what is not an image, and answer single Range requests
/// (206, 416). Handlers run on core workers.
class AttachmentRoutes
{
public:
	AttachmentRoutes(Uploads& uploads, AttachmentStore& store, std::shared_ptr<UserDirectory> users,
		const ServiceRegistry& services);

	/// uploadTimeoutMs: the time a whole upload body has (408 later).
	void registerWith(Router& router, long uploadTimeoutMs);

private:
	void upload(Request& request, Response& response);
	void download(Request& request, Response& response, bool thumbnail);
	bool canSee(const Attachment& attachment, Poco::Int64 userId) const;

	Uploads& _uploads;
	AttachmentStore& _store;
	std::shared_ptr<UserDirectory> _users;
	const ServiceRegistry& _services;
};

} } // namespace Palaver::Attachments

#endif
