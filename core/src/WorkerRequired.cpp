#include "palaver/WorkerRequired.h"
#include <typeinfo>

namespace Palaver {

POCO_IMPLEMENT_EXCEPTION(WorkerRequired, Poco::Exception, "The handler needs a worker thread")

} // namespace Palaver
