//
// SessionCookie.h
//

#ifndef Palaver_SessionCookie_INCLUDED
#define Palaver_SessionCookie_INCLUDED

#include <string>

namespace Palaver {

class OriginPolicy;

/// The name of the cookie that carries a session token, for the plugin that
/// sets it (auth) and those that read it (ws). Only that one name is read: a
/// server behind https would otherwise take a plain cookie planted by a
/// sibling subdomain (cookie tossing) and log the victim into an account the
/// attacker controls.
class SessionCookie
{
public:
	/// "palaver_session": plain-HTTP development and seed clients.
	static const std::string PLAIN_NAME;

	/// "__Host-palaver_session": browsers keep it only when it is Secure, has
	/// Path=/ and no Domain and comes from a secure origin, so no other host
	/// can set or overwrite it.
	static const std::string HOST_NAME;

	/// HOST_NAME when the server's public URL ([http] public_url) is https,
	/// else PLAIN_NAME.
	static const std::string& name(const OriginPolicy& origins);

	/// True when the cookie must be Secure (the public URL is https).
	static bool secure(const OriginPolicy& origins);
};

} // namespace Palaver

#endif
