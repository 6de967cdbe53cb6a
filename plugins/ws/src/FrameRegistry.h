//
// FrameRegistry.h
//
// The ClientFrames service: client frame types that other plugins handle.
//

#ifndef Palaver_Ws_FrameRegistry_INCLUDED
#define Palaver_Ws_FrameRegistry_INCLUDED

#include "palaver/services/ClientFrames.h"
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace Palaver {
namespace Ws {

class FrameRegistry: public ClientFrames
{
public:
	void addHandler(const std::string& type, const std::string& field, Handler handler) override;

	/// The handler a plugin added for this frame (a handler for type and one
	/// of the frame's members first, then one for the whole type), or an
	/// empty function. Any thread.
	Handler find(const std::string& type, const JsonValue& frame) const;

private:
	mutable std::mutex _mutex;
	std::map<std::pair<std::string, std::string>, Handler> _handlers;  /// (type, field) -> handler
};

} } // namespace Palaver::Ws

#endif
