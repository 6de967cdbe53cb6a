//
// HttpAnswer.h
//

#ifndef Palaver_Server_HttpAnswer_INCLUDED
#define Palaver_Server_HttpAnswer_INCLUDED

#include <string>

namespace Palaver {
namespace Server {

/// What a connection writes for one request: the serialised answer, and
/// what becomes of the connection afterwards.
struct HttpAnswer
{
	std::string bytes;
	bool close = false;     /// close once written (Connection: close was sent)
	bool detached = false;  /// the handler took the connection (Request::detachSocket): write nothing
};

} } // namespace Palaver::Server

#endif
