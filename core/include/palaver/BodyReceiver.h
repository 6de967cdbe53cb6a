//
// BodyReceiver.h
//

#ifndef Palaver_BodyReceiver_INCLUDED
#define Palaver_BodyReceiver_INCLUDED

#include <cstddef>

namespace Palaver {

class Response;

/// Takes a streamed request body a part at a time (API 4.0): the reverse of
/// Response::stream(). A route added with Router::Options::streamBody runs
/// its handler as soon as the request's head is read (the body still on the
/// wire); the handler checks what it can (authentication, Content-Length
/// against a quota) and either answers at once (an error: the body is never
/// read and the connection is closed after the answer) or hands a receiver
/// to Request::receiveBody() and returns without answering.
///
/// The connection's loop then reads the body and gives it to the receiver:
/// receive() for each part as it arrives (at most 64 KiB, in order), then
/// finish() once the whole body (Content-Length bytes) is here. Each call
/// runs on a worker thread, one call at a time, never on an event loop, so
/// it may write files or read the database; the loop reads nothing more of
/// the connection while a part is with the receiver (back-pressure: a slow
/// disk slows the client, memory holds one part) and no worker waits for a
/// slow client between parts.
///
/// The whole body must arrive within the route's Options::bodyTimeoutMs
/// ([http] request_read_timeout unless set): later, the client gets 408 and
/// the connection is closed. A client that hangs up before the end gets
/// nothing more. In both cases, and when receive() or finish() throws, the
/// receiver is destroyed without finish() having completed: its destructor
/// (on any thread, the loop's included: keep it short, e.g. unlink a
/// temporary file) throws nothing away that finish() did not keep.
class BodyReceiver
{
public:
	virtual ~BodyReceiver() = default;

	/// On a worker: the next part of the body (size > 0). An HttpError
	/// thrown (e.g. 413 past a limit only the content shows, 400 for a
	/// malformed body) is the answer, sent at once; the rest of the body is
	/// not read and the connection is closed after the answer. Any other
	/// exception is a logged 500.
	virtual void receive(const char* data, std::size_t size) = 0;

	/// On a worker, once the whole body was received: answers the request
	/// through response (as a route handler does, HttpError included).
	virtual void finish(Response& response) = 0;
};

} // namespace Palaver

#endif
