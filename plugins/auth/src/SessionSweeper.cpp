#include "SessionSweeper.h"
#include "SessionEvents.h"
#include "UserStore.h"
#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <chrono>
#include <map>

namespace Palaver {
namespace Auth {

SessionSweeper::SessionSweeper(std::shared_ptr<UserStore> store, EventBus& events, Poco::Logger& logger):
	_store(std::move(store)),
	_events(events),
	_logger(logger)
{
}

SessionSweeper::~SessionSweeper()
{
	stop();
}

void SessionSweeper::start()
{
	if (_thread.joinable()) return;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_stopping = false;
	}
	_thread = std::thread([this] { run(); });
}

void SessionSweeper::stop()
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_stopping = true;
	}
	_wake.notify_all();
	if (_thread.joinable()) _thread.join();
}

void SessionSweeper::run()
{
	bool failing = false;
	std::unique_lock<std::mutex> lock(_mutex);
	while (!_wake.wait_for(lock, std::chrono::milliseconds(INTERVAL_MS), [this] { return _stopping; }))
	{
		lock.unlock();
		try
		{
			sweep();
			if (failing) _logger.information("auth: expired sessions are removed again");
			failing = false;
		}
		catch (Poco::Exception& exception)
		{
			// Storage trouble: said once, retried at the next interval.
			if (!failing) _logger.warning("auth: cannot remove expired sessions: %s", exception.displayText());
			failing = true;
		}
		lock.lock();
	}
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
