//
// OriginPolicy.h
//

#ifndef Palaver_OriginPolicy_INCLUDED
#define Palaver_OriginPolicy_INCLUDED

#include <string>
#include <vector>

namespace Palaver {

/// Which browser origins may act on the server with a user's cookie (CSRF and
/// cross-site WebSocket hijacking): the server's own origin, i.e. the scheme
/// and the request's Host header, and those listed in [http] allowed_origins
/// (space or comma separated, e.g. "https://chat.example.org").
class OriginPolicy
{
public:
	explicit OriginPolicy(const std::string& allowedOrigins = "");

	/// True when origin (the Origin header's value) is the server's own for a
	/// request with this Host header, or an allowed one. An absent (empty)
	/// Origin is a non-browser client and is allowed.
	bool allows(const std::string& origin, const std::string& host) const;

	const std::vector<std::string>& allowed() const { return _allowed; }

private:
	std::vector<std::string> _allowed;
};

} // namespace Palaver

#endif
