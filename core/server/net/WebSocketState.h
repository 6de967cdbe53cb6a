//
// WebSocketState.h
//
// What an upgraded connection has besides its HttpConnection: its handle,
// the frame decoder, and the frames queued for writing. Owned and touched
// only by its event loop's thread.
//

#ifndef Palaver_Server_WebSocketState_INCLUDED
#define Palaver_Server_WebSocketState_INCLUDED

#include "WebSocketDecoder.h"
#include "WebSocketEndpointImpl.h"
#include "WebSocketImpl.h"
#include "WebSocketOutput.h"
#include "palaver/WebSocketFrame.h"
#include <cstddef>
#include <cstdint>
#include <memory>

namespace Palaver {
namespace Server {

struct WebSocketState
{
	explicit WebSocketState(std::shared_ptr<WebSocketImpl> socket):
		socket(std::move(socket)),
		endpoint(this->socket->endpoint()),
		decoder(endpoint.options().maxMessage)
	{
	}

	std::shared_ptr<WebSocketImpl> socket;
	WebSocketEndpointImpl& endpoint;
	FrameDecoder decoder;
	WebSocketOutput output;
	std::uint8_t pingsOutstanding = 0;
	std::uint16_t closeCode = CloseCode::Abnormal;  /// until a close frame is sent or received
	bool closeAfterFlush = false;           /// the peer's close is answered: end once written
	bool dirty = false;                     /// in the loop's list of connections to flush
};

} } // namespace Palaver::Server

#endif
