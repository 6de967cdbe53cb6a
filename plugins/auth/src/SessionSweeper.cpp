#include "SessionSweeper.h"
#include "SessionEvents.h"
#include "UserStore.h"
#include <chrono>
#include <map>

namespace Palaver {
namespace Auth {

SessionSweeper::SessionSweeper(std::shared_ptr<UserStore> store, EventBus& events, Poco::Logger& logger):
	_store(std::move(store)),
	_events(events),
	_task("auth-sweeper", "auth: removing expired sessions", std::chrono::milliseconds(INTERVAL_MS), [this] { sweep(); }, logger)
{
}

void SessionSweeper::start()
{
	_task.start();
}

void SessionSweeper::stop()
{
	_task.stop();
}

void SessionSweeper::sweep()
{
	for (;;)
	{
		// A session that would expire before the next sweep ends now: so every
		// session has ended (and its sockets act on nothing more) by its
		// expiry, never up to INTERVAL_MS after it (issue 15: nothing a socket
		// sends after its session ended is stored).
		const std::vector<UserStore::EndedSession> ended = _store->purgeExpired(UserStore::timeNow() + INTERVAL_MS * 1000LL);
		std::map<Poco::Int64, std::vector<std::string>> byUser;
		for (const auto& session: ended) byUser[session.userId].push_back(session.tokenHash);
		for (const auto& user: byUser) SessionEvents::ended(_events, user.first, user.second);
		if (ended.size() < UserStore::PURGE_BATCH) return;
	}
}

} } // namespace Palaver::Auth
