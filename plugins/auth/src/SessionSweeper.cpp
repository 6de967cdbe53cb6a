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
		const std::vector<UserStore::EndedSession> ended = _store->purgeExpired(UserStore::timeNow());
		std::map<Poco::Int64, std::vector<std::string>> byUser;
		for (const auto& session: ended) byUser[session.userId].push_back(session.tokenHash);
		for (const auto& user: byUser) SessionEvents::ended(_events, user.first, user.second);
		if (ended.size() < UserStore::PURGE_BATCH) return;
	}
}

} } // namespace Palaver::Auth
