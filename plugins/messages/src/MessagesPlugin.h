//
// MessagesPlugin.h
//

#ifndef Palaver_Messages_MessagesPlugin_INCLUDED
#define Palaver_Messages_MessagesPlugin_INCLUDED

#include "palaver/Plugin.h"
#include <memory>

namespace Palaver {

class UserDirectory;

namespace Messages {

class GroupCommitWriter;
class MessageRepository;
class ConversationRoutes;
class MessageRoutes;
class ReadCursors;
class MessageService;
class SearchIndex;
class SearchRoutes;

/// 1:1 messages: the messages table, GET /messages/from/{id},
/// POST /post/touser/{id}, GET /search, the MessageStore service and the "message.stored"
/// event. See plugins/messages/README.md.
class MessagesPlugin: public Plugin
{
public:
	MessagesPlugin();
	~MessagesPlugin() override;

	PluginInfo info() const override;
	void initialize(PluginContext& context) override;
	void start() override;
	void stop() override;

private:
	std::unique_ptr<MessageRepository> _repository;
	std::unique_ptr<ReadCursors> _cursors;
	std::unique_ptr<GroupCommitWriter> _writer;
	std::shared_ptr<MessageService> _service;
	std::unique_ptr<MessageRoutes> _routes;
	std::unique_ptr<ConversationRoutes> _conversations;
	std::unique_ptr<SearchIndex> _search;
	std::unique_ptr<SearchRoutes> _searchRoutes;
};

} } // namespace Palaver::Messages

#endif
