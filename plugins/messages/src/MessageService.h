//
// MessageService.h
//

#ifndef Palaver_Messages_MessageService_INCLUDED
#define Palaver_Messages_MessageService_INCLUDED

#include "GroupCommitWriter.h"
#include "KnownUsers.h"
#include "MessageAttachments.h"
#include "MessageRepository.h"
#include "ReadCursors.h"
#include "TextRules.h"
#include "palaver/MessageArrayStream.h"
#include "palaver/ScopedService.h"
#include "palaver/services/MessageStore.h"
#include <functional>
#include <memory>

namespace Palaver {

class UserDirectory;

namespace Messages {

/// The MessageStore service: what both POST /post/touser/{id} and the ws
/// plugin's chatmsg frames go through, so that both validate and store alike.
/// Other plugins find it scoped to them (ScopedMessageStore): acting as a
/// user is theirs only as their section's post_as allows.
class MessageService: public MessageStore, public ScopedService, public std::enable_shared_from_this<MessageService>
{
public:
	/// Tells whether a user id exists (normally UserDirectory::findUser).
	using UserExists = std::function<bool(Poco::Int64 id)>;

	/// Publishes a committed change ("message.updated"), on the changing thread.
	using UpdatePublished = std::function<void(const MessageUpdate& update)>;

	/// The group windows of a user (GroupDirectory::windowsOf), empty without
	/// the groups plugin; called on the changing thread.
	using GroupWindows = std::function<std::vector<GroupWindow>(Poco::Int64 userId)>;

	/// [messages] edit_window's default, in microseconds.
	static constexpr Poco::Int64 DEFAULT_EDIT_WINDOW = 900LL * 1000000LL;

	/// editWindow: how long after its timestamp a message may be edited, in
	/// microseconds. Without updatePublished, changes are not published.
	/// groupWindows tells whether someone else's group message is seen by
	/// the one changing it (403) or not (404).
	MessageService(MessageRepository& repository, ReadCursors& cursors, GroupCommitWriter& writer, UserExists userExists,
		TextRules rules, std::size_t knownUsersCapacity, Poco::Int64 editWindow = DEFAULT_EDIT_WINDOW,
		UpdatePublished updatePublished = {}, GroupWindows groupWindows = {});

	Message post(const User& from, Poco::Int64 toUserId, const std::string& text, const std::string& attachmentId = std::string()) override;
	void postAsync(const User& from, Poco::Int64 toUserId, const std::string& text, PostCallback done,
		const std::string& attachmentId = std::string()) override;
	std::vector<Message> since(Poco::Int64 userId, Poco::Int64 sinceId, std::size_t limit) override;
	Poco::Int64 lastIdBetween(Poco::Int64 a, Poco::Int64 b) override;
	MessageUpdate edit(const User& by, Poco::Int64 messageId, const std::string& text) override;
	MessageUpdate deleteForEveryone(const User& by, Poco::Int64 messageId) override;
	Message postToGroup(const User& from, Poco::Int64 groupId, const std::string& text, const std::string& attachmentId = std::string()) override;
	void postToGroupAsync(const User& from, Poco::Int64 groupId, const std::string& text, PostCallback done,
		const std::string& attachmentId = std::string()) override;
	std::vector<Message> groupMessages(Poco::Int64 groupId, Poco::Int64 afterId, Poco::Int64 beforeId, std::size_t limit) override;
	std::vector<MessageUpdate> eventsSince(Poco::Int64 userId, const std::vector<GroupWindow>& groups, Poco::Int64 sinceId, std::size_t limit) override;
	Poco::Int64 lastId() override;
	Poco::Int64 markRead(Poco::Int64 reader, Poco::Int64 other, Poco::Int64 upTo) override;

	/// A ScopedMessageStore of this store for caller (held by a shared_ptr).
	std::shared_ptr<Service> scopedTo(const std::shared_ptr<ServiceCaller>& caller) override;

	/// Messages read per query when a whole history is asked for (a part of
	/// the streamed answer).
	static constexpr std::size_t HISTORY_PAGE = 500;

	/// The limit newest messages of a and b's conversation below beforeId
	/// (0: any) as a JSON array, oldest first.
	std::string conversationJson(Poco::Int64 a, Poco::Int64 b, Poco::Int64 beforeId, std::size_t limit);

	/// Every message of a and b's conversation below beforeId (0: any) as a
	/// JSON array, oldest first, read HISTORY_PAGE at a time as the answer is
	/// written (Response::stream()): however long the history, only a page
	/// is held.
	std::shared_ptr<MessageArrayStream> conversationStream(Poco::Int64 a, Poco::Int64 b, Poco::Int64 beforeId);

	/// A group's messages after afterId and below beforeId (0: any), the
	/// limit oldest (MessageStore::groupMessagesAfter).
	std::vector<Message> groupMessagesAfter(Poco::Int64 groupId, Poco::Int64 afterId, Poco::Int64 beforeId, std::size_t limit) override;

	/// The user's direct chats' partners (MessageStore::partnersOf), from
	/// the chat list's index skip (MessageRepository::directChats()).
	std::vector<Poco::Int64> partnersOf(Poco::Int64 userId, std::size_t limit) override;

	/// Throws HttpError 404 unless the user exists.
	void requireUser(Poco::Int64 id);

	bool userExists(Poco::Int64 id);

	/// Whether userExists(id) answers from memory (no database read).
	bool knowsUser(Poco::Int64 id) const;

	/// A user deleted their account ("user.deleted"): messages to them are
	/// refused from now on; with forgetName (once per cluster: on the node
	/// where it happened), their stored messages lose the sender's name.
	void userDeleted(Poco::Int64 id, bool forgetName);

	/// Records that id exists (e.g. an authenticated caller).
	void knowUser(Poco::Int64 id) { _known.add(id); }

	const TextRules& rules() const { return _rules; }

	/// Where attachmentIds are resolved (without: every attachmentId is refused).
	void useAttachments(std::shared_ptr<MessageAttachments> attachments) { _attachments = std::move(attachments); }

private:
	/// Validates and builds the message post() and postAsync() queue.
	Message prepare(const User& from, Poco::Int64 toUserId, const std::string& text, const std::string& attachmentId);

	/// The text checks, and the attachment reserved last (nothing is
	/// reserved for a post refused otherwise).
	void complete(Message& message, const std::string& attachmentId);

	/// Queues message, freeing its attachment when it cannot be queued.
	void queue(Message message, const std::string& attachmentId, PostCallback done);
	Message store(Message message, const std::string& attachmentId);

	/// Changes a message of by's own with change (called in the transaction,
	/// after the checks every change shares: visible to by, else 404; sent by
	/// by, else 403), then publishes the change if there was one.
	MessageUpdate changeOwn(const User& by, Poco::Int64 messageId, const std::function<bool(Message&)>& change);
	/// Whether userId sees message: its sender or receiver, or a member of its
	/// group who joined before it.
	bool sees(Poco::Int64 userId, const Message& message) const;

	/// The same for a message to a group.
	Message prepareForGroup(const User& from, Poco::Int64 groupId, const std::string& text, const std::string& attachmentId);

	MessageRepository& _repository;
	ReadCursors& _cursors;
	GroupCommitWriter& _writer;
	UserExists _userExists;
	TextRules _rules;
	KnownUsers _known;
	Poco::Int64 _editWindow;
	UpdatePublished _updatePublished;
	GroupWindows _groupWindows;
	std::shared_ptr<MessageAttachments> _attachments;
};

} } // namespace Palaver::Messages

#endif
