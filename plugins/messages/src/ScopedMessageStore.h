//
// ScopedMessageStore.h
//

#ifndef Palaver_Messages_ScopedMessageStore_INCLUDED
#define Palaver_Messages_ScopedMessageStore_INCLUDED

#include "palaver/ServiceCaller.h"
#include "palaver/services/MessageStore.h"
#include <memory>
#include <utility>

namespace Palaver {
namespace Messages {

/// The MessageStore that another plugin finds (ScopedService): the store,
/// but every call that acts as a user (post, edit, delete, mark read) is
/// refused with Poco::NoPermissionException, before anything is stored,
/// unless the plugin may act as that user (ServiceCaller: its own service
/// accounts, or anyone with post_as = any). Reads are passed through.
/// Thread-safe as the store is; each method runs on the caller's thread.
class ScopedMessageStore: public MessageStore
{
public:
	ScopedMessageStore(std::shared_ptr<MessageStore> store, std::shared_ptr<ServiceCaller> caller);

	Message post(const User& from, Poco::Int64 toUserId, const std::string& text, const std::string& attachmentId) override;
	void postAsync(const User& from, Poco::Int64 toUserId, const std::string& text, PostCallback done,
		const std::string& attachmentId) override;
	std::vector<Message> since(Poco::Int64 userId, Poco::Int64 sinceId, std::size_t limit) override;
	Poco::Int64 lastIdBetween(Poco::Int64 a, Poco::Int64 b) override;
	MessageUpdate edit(const User& by, Poco::Int64 messageId, const std::string& text) override;
	MessageUpdate deleteForEveryone(const User& by, Poco::Int64 messageId) override;
	Message postToGroup(const User& from, Poco::Int64 groupId, const std::string& text, const std::string& attachmentId) override;
	void postToGroupAsync(const User& from, Poco::Int64 groupId, const std::string& text, PostCallback done,
		const std::string& attachmentId) override;
	std::vector<Message> groupMessages(Poco::Int64 groupId, Poco::Int64 afterId, Poco::Int64 beforeId, std::size_t limit) override;
	std::vector<MessageUpdate> eventsSince(Poco::Int64 userId, const std::vector<GroupWindow>& groups, Poco::Int64 sinceId, std::size_t limit) override;
	Poco::Int64 lastId() override;
	Poco::Int64 markRead(Poco::Int64 reader, Poco::Int64 other, Poco::Int64 upTo) override;
	std::vector<Message> groupMessagesAfter(Poco::Int64 groupId, Poco::Int64 afterId, Poco::Int64 beforeId, std::size_t limit) override;
	std::vector<Poco::Int64> partnersOf(Poco::Int64 userId, std::size_t limit) override;

private:
	/// The store's method called with arguments, once the calling plugin
	/// may act as userId (doing: what a refusal names, "post").
	template <typename Method, typename... Arguments>
	auto actingAs(Poco::Int64 userId, const char* doing, Method method, Arguments&&... arguments)
	{
		_caller->checkActAs(userId, doing);
		return (*_store.*method)(std::forward<Arguments>(arguments)...);
	}

	const std::shared_ptr<MessageStore> _store;
	const std::shared_ptr<ServiceCaller> _caller;
};

} } // namespace Palaver::Messages

#endif
