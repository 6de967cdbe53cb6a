//
// UserDirectory.h
//

#ifndef Palaver_Services_UserDirectory_INCLUDED
#define Palaver_Services_UserDirectory_INCLUDED

#include "palaver/Service.h"
#include "palaver/User.h"
#include <Poco/Optional.h>
#include <string>
#include <vector>

namespace Palaver {

class Request;

/// Who is asking: offered by the auth plugin.
class UserDirectory: public Service
{
public:
	static constexpr const char* NAME = "auth.users";

	/// The user behind the request's session (the session cookie, see
	/// SessionCookie, or Authorization: Bearer). Throws HttpError 401 without a valid session,
	/// 403 for a cookie-authenticated unsafe method from a foreign Origin.
	virtual User authenticate(const Request& request) = 0;

	/// The user a session token belongs to, if the token is valid.
	virtual Poco::Optional<User> userForToken(const std::string& token) = 0;

	virtual Poco::Optional<User> findUser(Poco::Int64 id) = 0;

	/// Every registered user, ordered by userName.
	virtual std::vector<User> listUsers() = 0;
};

} // namespace Palaver

#endif
