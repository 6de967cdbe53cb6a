//
// MessageStore.h
//

#ifndef Palaver_Services_MessageStore_INCLUDED
#define Palaver_Services_MessageStore_INCLUDED

#include "palaver/Message.h"
#include "palaver/Service.h"
#include "palaver/User.h"
#include <cstddef>
#include <vector>

namespace Palaver {

/// Stored 1:1 messages: offered by the messages plugin.
class MessageStore: public Service
{
public:
	static constexpr const char* NAME = "messages.store";

	/// Validates, stores durably (committed when it returns) and publishes
	/// "message.stored". Throws HttpError: 400 for invalid text, 404 for an
	/// unknown receiver, 503 when storage is unavailable.
	virtual Message post(const User& from, Poco::Int64 toUserId, const std::string& text) = 0;

	/// Messages sent or received by userId with an id above sinceId, oldest
	/// first, at most limit of them.
	virtual std::vector<Message> since(Poco::Int64 userId, Poco::Int64 sinceId, std::size_t limit) = 0;
};

} // namespace Palaver

#endif
