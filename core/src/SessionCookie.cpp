#include "palaver/SessionCookie.h"
#include "palaver/OriginPolicy.h"

namespace Palaver {

const std::string SessionCookie::PLAIN_NAME = "palaver_session";
const std::string SessionCookie::HOST_NAME = "__Host-palaver_session";

const std::string& SessionCookie::name(const OriginPolicy& origins)
{
	return secure(origins) ? HOST_NAME : PLAIN_NAME;
}

bool SessionCookie::secure(const OriginPolicy& origins)
{
	return origins.publicOrigin().compare(0, 8, "https://") == 0;
}

} // namespace Palaver
