#include "palaver/Version.h"

namespace Palaver {

const char* releaseVersion()
{
	return PALAVER_RELEASE;
}

} // namespace Palaver
