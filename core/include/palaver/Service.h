//
// Service.h
//

#ifndef Palaver_Service_INCLUDED
#define Palaver_Service_INCLUDED

namespace Palaver {

/// Base of every interface that one plugin offers to others through the
/// ServiceRegistry. An interface derives from it and names itself with a
/// static NAME, e.g. static constexpr const char* NAME = "auth.users";
class Service
{
public:
	virtual ~Service() = default;
};

} // namespace Palaver

#endif
