//
// DeferredResponse.h
//

#ifndef Palaver_DeferredResponse_INCLUDED
#define Palaver_DeferredResponse_INCLUDED

#include "palaver/Response.h"
#include <functional>
#include <mutex>

namespace Palaver {

class HttpError;

/// An answer that a route handler takes with it (Response::defer()) so that
/// it can return at once and answer later, e.g. from a store's callback after
/// a commit: no worker thread waits meanwhile.
///
/// complete() and fail() are thread-safe and may be called from any thread,
/// also before the handler has returned; only the first of them counts, later
/// ones return false. The core writes the answer on the connection's event
/// loop, in order with the connection's other requests. An answer not
/// completed within [http] request_timeout is answered 503 by the core (and
/// logged); the handler's later complete() then returns false.
class DeferredResponse
{
public:
	/// Called once with the completed answer, on the thread that completed it.
	using Delivery = std::function<void(Response&)>;

	DeferredResponse();

	DeferredResponse(const DeferredResponse&) = delete;
	DeferredResponse& operator=(const DeferredResponse&) = delete;

	/// Builds the answer with build (status, headers, body: any of
	/// Response's send calls) and hands it to the core. An HttpError that
	/// build throws becomes its JSON error; build must not throw anything
	/// else. Returns false, without calling build, if the answer was already
	/// completed (or timed out).
	bool complete(const std::function<void(Response&)>& build);

	/// Completes the answer with error's JSON error (PROTOCOL.md).
	bool fail(const HttpError& error);

	/// Whether the answer has been completed (or timed out).
	bool completed() const;

	/// For the core: where the answer goes. If it was completed already,
	/// deliver is called at once (on the caller's thread); otherwise by the
	/// thread that completes it. Once only.
	void deliverTo(Delivery deliver);

private:
	mutable std::mutex _mutex;
	Response _response;
	bool _completed = false;
	Delivery _deliver;
};

} // namespace Palaver

#endif
