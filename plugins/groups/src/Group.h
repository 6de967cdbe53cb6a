//
// Group.h
//

#ifndef Palaver_Groups_Group_INCLUDED
#define Palaver_Groups_Group_INCLUDED

#include <Poco/JSON/Object.h>
#include <Poco/Types.h>
#include <string>
#include <vector>

namespace Palaver {
namespace Groups {

/// A group chat as stored, members oldest first (joinedAt, then user id).
struct Group
{
	struct Member
	{
		Poco::Int64 userId = 0;
		bool admin = false;
		Poco::Int64 joinedAt = 0;     /// microseconds since the Unix epoch, UTC
		Poco::Int64 joinedAfter = 0;  /// the last message id before the joining: they read the later ones
		Poco::Int64 readUpTo = 0;     /// their read cursor
	};

	Poco::Int64 id = 0;
	std::string name;
	Poco::Int64 createdBy = 0;
	Poco::Int64 createdAt = 0;
	std::vector<Member> members;

	/// The member userId, or nullptr.
	const Member* member(Poco::Int64 userId) const;

	/// Every member's user id.
	std::vector<Poco::Int64> memberIds() const;

	/// PROTOCOL.md's group object: {"id", "name", "image": null, "createdAt",
	/// "members": [{"userId", "role": "admin" | "member", "joinedAt"}]}.
	Poco::JSON::Object::Ptr toJson() const;
};

} } // namespace Palaver::Groups

#endif
