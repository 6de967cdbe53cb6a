//
// BodyStream.h
//

#ifndef Palaver_Server_BodyStream_INCLUDED
#define Palaver_Server_BodyStream_INCLUDED

#include "palaver/Response.h"
#include <string>

namespace Palaver {
namespace Server {

/// A body written a part at a time (Response::stream()): its source, and
/// whether each part goes out as an HTTP/1.1 chunk (else as it is, the
/// connection's close ending it, for HTTP/1.0). Used by one thread at a
/// time: a worker while it makes a part, the connection's loop otherwise.
struct BodyStream
{
	Response::BodySource source;
	bool chunked = true;

	/// On a worker: the source's next part as it goes on the wire (with the
	/// last chunk once the source is done); more tells whether the source has
	/// more. Throws what the source throws.
	std::string produce(bool& more);
};

} } // namespace Palaver::Server

#endif
