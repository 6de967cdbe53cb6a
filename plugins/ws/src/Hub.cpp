#include "Hub.h"
#include "IoLoop.h"
#include "Settings.h"
#include <chrono>

namespace Palaver {
namespace Ws {

Hub::Hub(const Settings& settings):
	_rate(settings.rateLimit),
	_burst(settings.rateBurst)
{
}

void Hub::setLoops(std::vector<IoLoop*> loops)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_loops = std::move(loops);
}

std::string Hub::presenceJson(Poco::Int64 userId, bool online)
{
	return std::string("{\"type\":\"presence\",\"userId\":") + std::to_string(userId) +
		",\"online\":" + (online ? "true" : "false") + "}";
}

std::vector<Poco::Int64> Hub::add(Poco::Int64 userId, Ref ref)
{
	std::lock_guard<std::mutex> lock(_mutex);
	Entry& entry = _users[userId];
	const bool first = entry.refs.empty();
	if (first) entry.tokens = _burst;
	entry.refs.push_back(ref);
	if (first)
	{
		// Under the lock, so that presence changes reach every loop in order.
		broadcastLocked(std::make_shared<const std::string>(FrameEncoder::text(presenceJson(userId, true))), ref.connection);
	}
	std::vector<Poco::Int64> online;
	online.reserve(_users.size());
	for (const auto& user: _users) online.push_back(user.first);
	return online;
}

void Hub::remove(Poco::Int64 userId, Ref ref)
{
	std::lock_guard<std::mutex> lock(_mutex);
	auto it = _users.find(userId);
	if (it == _users.end()) return;
	auto& refs = it->second.refs;
	for (auto r = refs.begin(); r != refs.end(); ++r)
	{
		if (r->connection == ref.connection)
		{
			refs.erase(r);
			break;
		}
	}
	if (refs.empty())
	{
		_users.erase(it);
		broadcastLocked(std::make_shared<const std::string>(FrameEncoder::text(presenceJson(userId, false))), 0);
	}
}

void Hub::deliver(std::initializer_list<Poco::Int64> userIds, const FrameBytes& frame, Poco::Int64 messageId)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (_loops.empty()) return;
	std::vector<std::vector<std::uint64_t>> perLoop(_loops.size());
	bool any = false;
	const Poco::Int64* previous = nullptr;
	for (const Poco::Int64& userId: userIds)
	{
		if (previous && *previous == userId) continue;  // a message to oneself
		previous = &userId;
		auto it = _users.find(userId);
		if (it == _users.end()) continue;
		for (const Ref& ref: it->second.refs)
		{
			if (ref.loop < perLoop.size())
			{
				perLoop[ref.loop].push_back(ref.connection);
				any = true;
			}
		}
	}
	if (!any) return;
	for (std::size_t i = 0; i < perLoop.size(); ++i)
	{
		if (perLoop[i].empty()) continue;
		Command command(Command::Type::Send);
		command.connections = std::move(perLoop[i]);
		command.frame = frame;
		command.messageId = messageId;
		_loops[i]->post(std::move(command));
	}
}

void Hub::deliverAll(const FrameBytes& frame, std::uint64_t exclude)
{
	std::lock_guard<std::mutex> lock(_mutex);
	broadcastLocked(frame, exclude);
}

void Hub::broadcastLocked(const FrameBytes& frame, std::uint64_t exclude)
{
	for (IoLoop* loop: _loops)
	{
		Command command(Command::Type::Broadcast);
		command.frame = frame;
		command.exclude = exclude;
		loop->post(std::move(command));
	}
}

bool Hub::allowFrame(Poco::Int64 userId)
{
	const Poco::Int64 now = std::chrono::duration_cast<std::chrono::milliseconds>(
		std::chrono::steady_clock::now().time_since_epoch()).count();
	std::lock_guard<std::mutex> lock(_mutex);
	auto it = _users.find(userId);
	if (it == _users.end()) return true;
	Entry& entry = it->second;
	if (entry.refilled == 0) entry.refilled = now;
	entry.tokens += static_cast<double>(now - entry.refilled) * _rate / 1000.0;
	if (entry.tokens > _burst) entry.tokens = _burst;
	entry.refilled = now;
	if (entry.tokens < 1.0) return false;
	entry.tokens -= 1.0;
	return true;
}

std::size_t Hub::onlineCount() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _users.size();
}

void Hub::pushToUser(Poco::Int64 userId, const std::string& frame)
{
	deliver({userId}, std::make_shared<const std::string>(FrameEncoder::text(frame)));
}

void Hub::broadcast(const std::string& frame)
{
	deliverAll(std::make_shared<const std::string>(FrameEncoder::text(frame)));
}

bool Hub::isOnline(Poco::Int64 userId) const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _users.count(userId) != 0;
}

} } // namespace Palaver::Ws
