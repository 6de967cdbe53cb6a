//
// HttpAnswer.h
//

#ifndef Palaver_Server_HttpAnswer_INCLUDED
#define Palaver_Server_HttpAnswer_INCLUDED

#include "BodyStream.h"
#include "palaver/BodyReceiver.h"
#include <memory>
#include <string>

namespace Palaver {
namespace Server {

class WebSocketImpl;

/// What a connection writes for one request: the serialised answer, and
/// what becomes of the connection afterwards.
struct HttpAnswer
{
	std::string bytes;
	bool close = false;     /// close once written (Connection: close was sent)
	std::shared_ptr<WebSocketImpl> upgrade;  /// an accepted WebSocket upgrade: bytes are the 101, frames follow
	std::shared_ptr<BodyStream> stream;  /// a streamed body: bytes are the head, the parts follow
	std::shared_ptr<BodyReceiver> receiver;  /// the handler takes the request's body: read it, nothing to write yet
};

} } // namespace Palaver::Server

#endif
