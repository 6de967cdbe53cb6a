//
// WorkerRequired.h
//

#ifndef Palaver_WorkerRequired_INCLUDED
#define Palaver_WorkerRequired_INCLUDED

#include <Poco/Exception.h>

namespace Palaver {

/// Thrown by Request::requireWorker() in a handler that runs on an I/O
/// thread (Router::addOnIoThread()) and is about to block: the core
/// catches it and runs the handler again, from the start, on a worker
/// thread. Handlers let it pass (never catch Poco::Exception around a
/// requireWorker() call without rethrowing it).
POCO_DECLARE_EXCEPTION(, WorkerRequired, Poco::Exception)

} // namespace Palaver

#endif
