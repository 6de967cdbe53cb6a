//
// MessageStore.h
//

#ifndef Palaver_Services_MessageStore_INCLUDED
#define Palaver_Services_MessageStore_INCLUDED

#include "palaver/Message.h"
#include "palaver/MessageUpdate.h"
#include "palaver/Service.h"
#include "palaver/User.h"
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace Palaver {

class HttpError;

/// Stored 1:1 messages: offered by the messages plugin. Every method may
/// be called from any thread but an I/O thread (they read or write the database).
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

	/// Replaces the text of a message by its sender, within [messages]
	/// edit_window of its timestamp; sets editedAt, takes a new event id,
	/// commits, then publishes "message.updated" and returns the change
	/// (since plugin API 2.1). Throws HttpError: 400 for invalid text, 404 for
	/// an unknown or deleted message or one the caller cannot see, 403 "forbidden" for
	/// someone else's message, 403 "edit_window_passed" after the window, 503
	/// when storage is unavailable.
	virtual MessageUpdate edit(const User& by, Poco::Int64 messageId, const std::string& text) = 0;

	/// Deletes a message for everyone, by its sender: its text is removed
	/// from storage and it becomes the tombstone of PROTOCOL.md (deleted,
	/// empty text); takes a new event id, commits, publishes "message.updated"
	/// (since plugin API 2.1). A message already deleted is left as it is
	/// (eventId 0, nothing published). Throws HttpError as edit() does.
	virtual MessageUpdate deleteForEveryone(const User& by, Poco::Int64 messageId) = 0;

	/// What happened after event sinceId to messages sent or received by
	/// userId, in event order, at most limit entries (since plugin API 2.1):
	/// each new message (id above sinceId) as it now is, with eventId equal
	/// to its id; and each older message changed after sinceId, with its
	/// latest state and the event id of its latest change. Read in one
	/// statement, so in one snapshot: nothing committed meanwhile is half in.
	virtual std::vector<MessageUpdate> eventsSince(Poco::Int64 userId, Poco::Int64 sinceId, std::size_t limit) = 0;
};

} // namespace Palaver

#endif
