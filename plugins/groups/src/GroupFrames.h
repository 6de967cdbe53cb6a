//
// GroupFrames.h
//

#ifndef Palaver_Groups_GroupFrames_INCLUDED
#define Palaver_Groups_GroupFrames_INCLUDED

#include "palaver/services/ClientFrames.h"

namespace Palaver {
namespace Groups {

class GroupService;

/// The client frames of PROTOCOL.md "Groups", added to the ws plugin's
/// ClientFrames: "groupmsg" (stored as POST /post/togroup, then "ack"), and
/// "typing" and "read" that name a "groupId". Each handler runs on a ws
/// worker thread.
class GroupFrames
{
public:
	static void registerWith(ClientFrames& frames, GroupService& service);

	/// Takes them back (in the plugin's stop()).
	static void unregisterFrom(ClientFrames& frames);

	/// The frame's positive id member name, or an HttpError 400 naming it.
	static Poco::Int64 id(const JsonValue& frame, const char* name, bool allowZero = false);
};

} } // namespace Palaver::Groups

#endif
