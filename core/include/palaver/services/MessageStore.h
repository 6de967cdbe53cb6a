//
// MessageStore.h
//

#ifndef Palaver_Services_MessageStore_INCLUDED
#define Palaver_Services_MessageStore_INCLUDED

#include "palaver/Message.h"
#include "palaver/Service.h"
#include "palaver/User.h"
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace Palaver {

class HttpError;

/// Stored 1:1 messages: offered by the messages plugin.
class MessageStore: public Service
{
public:
	static constexpr const char* NAME = "messages.store";

	/// Validates, stores durably (committed when it returns) and publishes
	/// "message.stored". Throws HttpError: 400 for invalid text, 404 for an
	/// unknown receiver, 503 when storage is unavailable.
	virtual Message post(const User& from, Poco::Int64 toUserId, const std::string& text) = 0;

	/// The outcome of postAsync(): exactly one of stored (the message with its
	/// id and timestamp) and error is non-null; both are valid only during the call.
	using PostCallback = std::function<void(const Message* stored, const HttpError* error)>;

	/// Like post(), without waiting for the commit, so that no thread is held
	/// per message and a group commit can take every message offered.
	///
	/// What is decided before the message is queued is thrown right away as
	/// HttpError, and done is then never called: 401 for a sender without an
	/// id, 400 for invalid text, 404 for an unknown receiver (this check may
	/// look the receiver up once, then it is cached), 503 when the store is
	/// stopping or too many messages are waiting.
	///
	/// Once postAsync() has returned, done is called exactly once, on the
	/// store's writer thread: after the commit with the stored message (and
	/// "message.stored" is published for it as with post()), or with an
	/// HttpError (503) when its batch failed. done must be quick and must not
	/// block or throw: it holds up the other messages of its batch. It may be
	/// called before postAsync() returns. Messages still queued when the store
	/// stops are stored (and their callbacks called) before it has stopped.
	virtual void postAsync(const User& from, Poco::Int64 toUserId, const std::string& text, PostCallback done) = 0;

	/// Messages sent or received by userId with an id above sinceId, oldest
	/// first, at most limit of them.
	virtual std::vector<Message> since(Poco::Int64 userId, Poco::Int64 sinceId, std::size_t limit) = 0;

	/// The highest message id between a and b (either direction; a == b is
	/// the conversation with oneself), 0 when they have none. One index look-up,
	/// but a database read: not for an I/O thread. Throws HttpError 503 when
	/// the store fails.
	virtual Poco::Int64 lastIdBetween(Poco::Int64 a, Poco::Int64 b) = 0;
};

} // namespace Palaver

#endif
