//
// ConversationRoutes.h
//

#ifndef Palaver_Messages_ConversationRoutes_INCLUDED
#define Palaver_Messages_ConversationRoutes_INCLUDED

#include "palaver/services/UserDirectory.h"
#include <memory>

namespace Palaver {

class EventBus;
class Request;
class Response;
class Router;
class ServiceRegistry;

namespace Messages {

class MessageRepository;
class MessageService;
class ReadCursors;

/// The chat list and the direct chats' read state (PROTOCOL.md "The chat
/// list and read state"): GET /conversations and POST /read/user/{userId}.
///
/// The messages plugin owns the chat list, since it owns every message: direct
/// chats come from its own tables, groups from the groups plugin's
/// GroupDirectory service when that plugin is loaded (the group, the member's
/// joining and read cursor), with the last message and the unread count read
/// here. Group read cursors are the groups plugin's (POST /read/group/{id}).
class ConversationRoutes
{
public:
	ConversationRoutes(MessageService& service, MessageRepository& repository, ReadCursors& cursors,
		std::shared_ptr<UserDirectory> users, const ServiceRegistry& services, EventBus& events);

	void registerWith(Router& router);

	static constexpr Poco::Int64 DEFAULT_PAGE = 50;
	static constexpr Poco::Int64 MAX_PAGE = 200;

	/// The receipt of a direct chat: reader read other's messages up to upTo.
	static std::string receiptJson(Poco::Int64 reader, Poco::Int64 other, Poco::Int64 upTo);

private:
	void conversations(Request& request, Response& response);
	void read(Request& request, Response& response);

	MessageService& _service;
	MessageRepository& _repository;
	ReadCursors& _cursors;
	std::shared_ptr<UserDirectory> _users;
	const ServiceRegistry& _services;
	EventBus& _events;
};

} } // namespace Palaver::Messages

#endif
