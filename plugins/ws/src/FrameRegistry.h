//
// FrameRegistry.h
//
// The ClientFrames service: client frame types that other plugins handle.
//

#ifndef Palaver_Ws_FrameRegistry_INCLUDED
#define Palaver_Ws_FrameRegistry_INCLUDED

#include "palaver/services/ClientFrames.h"
#include <Poco/Types.h>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

namespace Palaver {
namespace Ws {

class FrameRegistry: public ClientFrames
{
public:
	/// A handler as find() hands it out: removeHandler() waits until no copy is left.
	using Shared = std::shared_ptr<const Handler>;

	void addHandler(const std::string& type, const std::string& field, Handler handler) override;
	void removeHandler(const std::string& type, const std::string& field) override;

	/// The handler a plugin added for this frame (a handler for type and one
	/// of the frame's members first, then one for the whole type), or null.
	/// Any thread.
	Shared find(const std::string& type, const JsonValue& frame) const;

private:
	static constexpr Poco::Int64 MAX_WAIT_US = 10000000;

	mutable std::mutex _mutex;
	std::map<std::pair<std::string, std::string>, Shared> _handlers;  /// (type, field) -> handler
};

} } // namespace Palaver::Ws

#endif
