//
// PushPlugin.h
//

#ifndef Palaver_Push_PushPlugin_INCLUDED
#define Palaver_Push_PushPlugin_INCLUDED

#include "palaver/EventBus.h"
#include "palaver/Message.h"
#include "palaver/Plugin.h"
#include "palaver/WorkerPool.h"
#include "palaver/services/Pusher.h"
#include <functional>
#include <memory>
#include <vector>

namespace Palaver {
class GroupDirectory;

namespace Push {

class EndpointGuard;
class PushRoutes;
class PushSender;
class SubscriptionRepository;
class VapidKey;

/// Web Push (PROTOCOL.md Part 2, "Web Push"; plugins/push/README.md): a
/// message stored for a user with no open connection on any node becomes a
/// push to each of their browsers' subscriptions. On the public SDK only:
/// "message.stored" tells of messages, the groups plugin's
/// GroupDirectory::readersOf() who reads a group message, the ws plugin's
/// Pusher::isOnline() of connections (cluster-wide), "session.ended" and
/// "user.deleted" of subscriptions to remove.
///
/// In a cluster only the node that stored a message (its "message.stored"
/// has no "_origin") pushes it, so each push leaves once.
class PushPlugin: public Plugin
{
public:
	PushPlugin();
	~PushPlugin() override;

	PluginInfo info() const override;
	void initialize(PluginContext& context) override;

	/// True: stop() joins the sender and clean-up threads (removals queued
	/// still run; pushes queued and due are still sent for at most [push]
	/// drain_timeout, what is left is dropped with a warning) and the
	/// plugin is destroyed with the services it holds, so that ws, groups
	/// and messages (which it uses) can be reloaded at run time. Drained,
	/// not handed to the next version (saveState()): the same stop serves a
	/// shutdown, and a queued push holds the groups and ws plugins' services
	/// that a reload of those replaces.
	bool reloadable() const override { return true; }
	void start() override;
	void stop() override;

	/// The push payload of message (PROTOCOL.md): type, id, sender, chat,
	/// with an attachment its "attachment": {"type"} (and "name" when
	/// includeText), and its text only when includeText, cut at a character
	/// boundary so that the whole payload fits PayloadCipher::MAX_PLAINTEXT.
	static std::string payload(const Message& message, bool includeText);

private:
	/// "message.stored" of this node: queues the push; a sender thread then
	/// finds the readers with no connection. On the publisher's thread (the
	/// messages plugin's writer): only queues.
	void messageStored(const Poco::JSON::Object::Ptr& json);

	/// "session.ended" and "user.deleted" of this node (PROTOCOL.md's
	/// payloads), on the publisher's thread: queue the removal of the
	/// subscriptions of those sessions, or of that user, for the cleaner.
	void sessionsEnded(const Poco::JSON::Object::Ptr& event);
	void userDeleted(const Poco::JSON::Object::Ptr& event);

	/// Queues removal for the cleaner's thread; logs (naming whose
	/// subscriptions) when the queue is full or the removal fails.
	void clean(const std::string& whose, std::function<void()> removal);

	/// Removals waiting at most: a burst of log-outs or account deletions
	/// far beyond any real one.
	static constexpr std::size_t CLEANER_QUEUE = 100000;

	PluginContext* _context = nullptr;
	bool _includeText = false;
	std::shared_ptr<Pusher> _pusher;
	std::shared_ptr<GroupDirectory> _groups;  /// null without the groups plugin: group messages are not pushed
	std::unique_ptr<VapidKey> _key;
	std::unique_ptr<EndpointGuard> _guard;
	std::unique_ptr<SubscriptionRepository> _repository;
	std::unique_ptr<PushSender> _sender;
	std::unique_ptr<PushRoutes> _routes;
	std::unique_ptr<WorkerPool> _cleaner;  /// one thread: the subscriptions' removals
	std::vector<EventBus::SubscriptionId> _subscriptions;
};

} } // namespace Palaver::Push

#endif
