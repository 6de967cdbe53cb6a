#include "Attachment.h"

namespace Palaver {
namespace Attachments {

Poco::JSON::Object::Ptr Attachment::toJson() const
{
	Poco::JSON::Object::Ptr json = new Poco::JSON::Object;
	json->set("id", id);
	json->set("name", name);
	json->set("type", type);
	json->set("size", size);
	if (isImage())
	{
		json->set("width", width);
		json->set("height", height);
	}
	else
	{
		json->set("width", Poco::Dynamic::Var());
		json->set("height", Poco::Dynamic::Var());
	}
	json->set("thumbnail", !thumbnailType.empty());
	return json;
}

} } // namespace Palaver::Attachments
