#include "Group.h"
#include "palaver/Message.h"
#include <Poco/JSON/Array.h>

namespace Palaver {
namespace Groups {

const Group::Member* Group::member(Poco::Int64 userId) const
{
	for (const Member& m: members)
	{
		if (m.userId == userId) return &m;
	}
	return nullptr;
}

std::vector<Poco::Int64> Group::memberIds() const
{
	std::vector<Poco::Int64> ids;
	ids.reserve(members.size());
	for (const Member& m: members) ids.push_back(m.userId);
	return ids;
}

Poco::JSON::Object::Ptr Group::toJson() const
{
	Poco::JSON::Object::Ptr json = new Poco::JSON::Object;
	json->set("id", id);
	json->set("name", name);
	json->set("image", Poco::Dynamic::Var());
	json->set("createdAt", Message::timestampJson(createdAt));
	Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
	for (const Member& m: members)
	{
		Poco::JSON::Object::Ptr member = new Poco::JSON::Object;
		member->set("userId", m.userId);
		member->set("role", m.admin ? "admin" : "member");
		member->set("joinedAt", Message::timestampJson(m.joinedAt));
		list->add(member);
	}
	json->set("members", list);
	return json;
}

} } // namespace Palaver::Groups
