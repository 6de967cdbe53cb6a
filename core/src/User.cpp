#include "palaver/User.h"

namespace Palaver {

Poco::JSON::Object::Ptr User::toJson() const
{
	Poco::JSON::Object::Ptr json = new Poco::JSON::Object;
	json->set("id", id);
	json->set("userName", userName);
	json->set("info", info);
	if (image.empty())
		json->set("image", Poco::Dynamic::Var());
	else
		json->set("image", image);
	return json;
}

User User::fromJson(const Poco::JSON::Object& json)
{
	User user;
	user.id = json.getValue<Poco::Int64>("id");
	user.userName = json.getValue<std::string>("userName");
	user.info = json.optValue<std::string>("info", "");
	if (json.has("image") && !json.isNull("image"))
		user.image = json.getValue<std::string>("image");
	return user;
}

} // namespace Palaver
