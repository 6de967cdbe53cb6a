//
// User.h
//

#ifndef Palaver_User_INCLUDED
#define Palaver_User_INCLUDED

#include <Poco/JSON/Object.h>
#include <Poco/Types.h>
#include <string>

namespace Palaver {

/// A registered user, as PROTOCOL.md shows it.
struct User
{
	Poco::Int64 id = 0;
	std::string userName;
	std::string info;
	std::string image;  /// file name under GET /img/, "" when the user has none

	/// {"id": 12, "userName": "sonia", "info": "soy Sonia", "image": "c1f0.jpg" | null}
	Poco::JSON::Object::Ptr toJson() const;
	static User fromJson(const Poco::JSON::Object& json);
};

} // namespace Palaver

#endif
