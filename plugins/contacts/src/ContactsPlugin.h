//
// ContactsPlugin.h
//

#ifndef Palaver_Contacts_ContactsPlugin_INCLUDED
#define Palaver_Contacts_ContactsPlugin_INCLUDED

#include "palaver/Plugin.h"
#include "palaver/services/UserDirectory.h"
#include <memory>

namespace Palaver {

class Request;
class Response;

namespace Contacts {

/// GET /contacts and GET /contacts/{userId}: every registered user but the
/// caller, ordered by userName; with ?q=PREFIX, ?limit=N or ?after=USERNAME,
/// a page of those whose name begins with PREFIX (at most N, default 50, at
/// most 1000), after USERNAME. Reads users only through UserDirectory.
class ContactsPlugin: public Plugin
{
public:
	PluginInfo info() const override;
	void initialize(PluginContext& context) override;

	/// Routes only (through its context): stopped and reloaded at run time.
	bool reloadable() const override { return true; }

private:
	void contacts(Request& request, Response& response);
	void contactsOf(Request& request, Response& response);
	void answer(const Request& request, Response& response, const User& caller);

	std::shared_ptr<UserDirectory> _users;
};

} } // namespace Palaver::Contacts

#endif
