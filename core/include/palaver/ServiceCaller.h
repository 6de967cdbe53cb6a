//
// ServiceCaller.h
//

#ifndef Palaver_ServiceCaller_INCLUDED
#define Palaver_ServiceCaller_INCLUDED

#include <Poco/Types.h>
#include <mutex>
#include <set>
#include <string>

namespace Palaver {

/// The plugin that looked a service up, as a ScopedService's view sees it
/// (API 4.1, issue 20): its name, whom it may act as, and the service
/// accounts it owns. The core makes one per plugin, from the `post_as` key
/// of the plugin's section:
///
///   post_as = service   (the default) the plugin acts only as the service
///                       accounts it obtained with UserDirectory::serviceAccount()
///   post_as = any       it acts as any user: a plugin that posts for the
///                       users it authenticated (ws, groups)
///
/// Thread-safe: views call it from any thread.
class ServiceCaller
{
public:
	enum class PostAs
	{
		SERVICE_ACCOUNTS,
		ANY_USER
	};

	/// The key of a plugin's section that grants it, read by the core.
	static constexpr const char* POST_AS_KEY = "post_as";

	ServiceCaller(std::string plugin, PostAs postAs);

	/// "service" or "any"; throws Poco::InvalidArgumentException for anything else.
	static PostAs parsePostAs(const std::string& value);

	const std::string& plugin() const { return _plugin; }
	PostAs postAs() const { return _postAs; }

	/// userId is a service account the plugin obtained (UserDirectory::serviceAccount()).
	void ownAccount(Poco::Int64 userId);

	/// Whether the plugin may act as userId: any user with post_as = any,
	/// otherwise only its own service accounts.
	bool mayActAs(Poco::Int64 userId) const;

	/// Throws Poco::NoPermissionException, naming the plugin, the user and
	/// what (e.g. "post"), unless mayActAs(userId).
	void checkActAs(Poco::Int64 userId, const std::string& what) const;

private:
	const std::string _plugin;
	const PostAs _postAs;
	mutable std::mutex _mutex;
	std::set<Poco::Int64> _ownAccounts;  /// guarded by _mutex
};

} // namespace Palaver

#endif
