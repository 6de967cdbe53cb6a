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

/// Stored messages, 1:1 and to groups: offered by the messages plugin.
///
/// Every message id is drawn from one increasing sequence, whether the
/// message goes to a user or to a group (PROTOCOL.md, "One sequence of events").
/// The store knows nothing of group membership: the plugin that owns groups
/// checks who may post to and read a group before it calls the group methods.
/// Every method may be called from any thread but an I/O thread (they read
/// or write the database) and the store's publisher thread: post() and
/// postToGroup() wait for that thread, so called on it (from an
/// Events::MESSAGE_STORED subscriber or a postAsync() callback) they throw
/// Poco::IllegalStateException at once; use postAsync() there.
class MessageStore: public Service
{
public:
	static constexpr const char* NAME = "messages.store";

	/// Validates, stores durably (committed when it returns) and publishes
	/// "message.stored". Throws HttpError: 400 for invalid text, 404 for an
	/// unknown receiver, 503 when storage is unavailable; and
	/// Poco::IllegalStateException on the store's publisher thread.
	///
	/// attachmentId (API 4.0, every post method): an upload of the sender's
	/// that the message carries (the AttachmentFiles service); the text (the
	/// caption) may then be empty. 400 (field "attachmentId") when it is not
	/// the sender's upload, was attached already, or no attachments plugin
	/// runs.
	virtual Message post(const User& from, Poco::Int64 toUserId, const std::string& text,
		const std::string& attachmentId = std::string()) = 0;

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
	/// store's publisher thread (not the writer's: API 4.0, issue 14): after the commit with the stored message (and
	/// "message.stored" is published for it as with post()), or with an
	/// HttpError (503) when its batch failed. done must be quick and must not
	/// block or throw: it holds up the other messages of its batch. It may be
	/// called before postAsync() returns. Messages still queued when the store
	/// stops are stored (and their callbacks called) before it has stopped.
	virtual void postAsync(const User& from, Poco::Int64 toUserId, const std::string& text, PostCallback done,
		const std::string& attachmentId = std::string()) = 0;

	/// Messages sent or received by userId with an id above sinceId, oldest
	/// first, at most limit of them.
	virtual std::vector<Message> since(Poco::Int64 userId, Poco::Int64 sinceId, std::size_t limit) = 0;

	/// The highest message id between a and b (either direction; a == b is
	/// the conversation with oneself), 0 when they have none. One index look-up,
	/// but a database read: not for an I/O thread. Throws HttpError 503 when
	/// the store fails.
	virtual Poco::Int64 lastIdBetween(Poco::Int64 a, Poco::Int64 b) = 0;

	// API 2.1, appended: the slots above keep their places (docs/PLUGINS.md, "Versioning").

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

	/// A message to a group (API 2.1), validated like post() and stored in
	/// the same sequence, with toUserId 0 and groupId set; "message.stored"
	/// is published for it as for a direct message. The caller has checked
	/// that from may post to groupId (a positive id; the store does not look
	/// it up). Throws HttpError: 401 for a sender without an id, 400 for
	/// invalid text or a group id below 1, 503 when storage is unavailable.
	virtual Message postToGroup(const User& from, Poco::Int64 groupId, const std::string& text,
		const std::string& attachmentId = std::string()) = 0;

	/// postToGroup() without waiting for the commit, as postAsync() is to
	/// post(): done is called once, on the store's publisher thread.
	virtual void postToGroupAsync(const User& from, Poco::Int64 groupId, const std::string& text, PostCallback done,
		const std::string& attachmentId = std::string()) = 0;

	/// The messages of a group with an id above afterId and below beforeId
	/// (0: any), oldest first: the limit newest of them (limit 0: all).
	/// afterId is how the caller keeps a member to the messages stored since
	/// they joined. Throws HttpError 503 when the store fails.
	virtual std::vector<Message> groupMessages(Poco::Int64 groupId, Poco::Int64 afterId, Poco::Int64 beforeId, std::size_t limit) = 0;

	/// A group a user reads, from the message after afterId on (API 2.1).
	struct GroupWindow
	{
		Poco::Int64 groupId = 0;
		Poco::Int64 afterId = 0;
	};

	/// What happened after event sinceId to the messages userId can see, in
	/// event order, at most limit entries (since plugin API 2.1): each new
	/// message (id above sinceId) as it now is, with eventId equal to its id;
	/// and each older message changed after sinceId, with its latest state and
	/// the event id of its latest change. The messages userId can see: sent or
	/// received directly, and those of the groups, each from its window's
	/// afterId on (the plugin that owns groups says which: the store does not
	/// know). Direct messages are read in one statement, so in one snapshot.
	virtual std::vector<MessageUpdate> eventsSince(Poco::Int64 userId, const std::vector<GroupWindow>& groups,
		Poco::Int64 sinceId, std::size_t limit) = 0;

	/// The highest id drawn so far (0 before the first message): an event
	/// that happens now, e.g. joining a group, comes after it (API 2.1).
	/// Throws HttpError 503 when the store fails.
	virtual Poco::Int64 lastId() = 0;

	/// reader has read the direct chat with other up to upTo (clamped to the
	/// chat's last message): the stored read cursor moves forward to it.
	/// Returns the new cursor, or 0 when it did not move (a read at or below
	/// it, or a chat without messages): then no receipt is due. A database
	/// write: not for an I/O thread. Throws HttpError 503 (API 2.1).
	virtual Poco::Int64 markRead(Poco::Int64 reader, Poco::Int64 other, Poco::Int64 upTo) = 0;

	/// The messages of a group with an id above afterId and below beforeId
	/// (0: any), oldest first: the limit OLDEST of them (API 3.0). A long
	/// history is read page by page with it (keyset paging: pass the last id
	/// of a page as afterId for the next; see MessageArrayStream). Throws
	/// HttpError 503 when the store fails.
	virtual std::vector<Message> groupMessagesAfter(Poco::Int64 groupId, Poco::Int64 afterId, Poco::Int64 beforeId, std::size_t limit) = 0;

	/// The users userId has a direct chat with (a message either way; userId
	/// itself after a message to oneself), in no order, at most limit of them
	/// (API 4.0, issue 14: whom a user's presence goes to). One seek per
	/// partner, but a database read: not for an I/O thread. Throws HttpError
	/// 503 when the store fails.
	virtual std::vector<Poco::Int64> partnersOf(Poco::Int64 userId, std::size_t limit) = 0;
};

} // namespace Palaver

#endif
