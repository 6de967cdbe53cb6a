#include "WsTickets.h"
#include "SessionToken.h"
#include "palaver/HttpError.h"
#include <chrono>

namespace Palaver {
namespace Auth {

WsTickets::WsTickets(Poco::Int64 ttlSeconds, std::size_t capacity):
	_ttlMs(ttlSeconds * 1000),
	_capacity(capacity)
{
}

void WsTickets::setTtl(Poco::Int64 ttlSeconds)
{
	_ttlMs = ttlSeconds * 1000;
}

Poco::Int64 WsTickets::clockMs()
{
	return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string WsTickets::issue(const std::string& token, Poco::Int64 nowMs)
{
	std::string ticket = SessionToken::randomHex(BYTES);
	std::lock_guard<std::mutex> lock(_mutex);
	if (_tickets.size() >= _capacity) dropExpired(nowMs);
	if (_tickets.size() >= _capacity) throw HttpError::unavailable("too many WebSocket tickets waiting, try again later");
	if (waiting(token) >= PER_SESSION) dropExpired(nowMs);
	if (waiting(token) >= PER_SESSION)
		throw HttpError::rateLimited(static_cast<int>(_ttlMs.load() / 1000) + 1, "too many unused WebSocket tickets for this session");
	_tickets[ticket] = Entry{token, nowMs + _ttlMs.load()};
	++_perSession[token];
	return ticket;
}

std::string WsTickets::redeem(const std::string& ticket, Poco::Int64 nowMs)
{
	std::lock_guard<std::mutex> lock(_mutex);
	auto it = _tickets.find(ticket);
	if (it == _tickets.end()) return "";
	std::string token = it->second.expiresMs > nowMs ? it->second.token : std::string();
	erase(it);
	return token;
}

std::size_t WsTickets::size() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _tickets.size();
}

std::size_t WsTickets::waiting(const std::string& token) const
{
	auto count = _perSession.find(token);
	return count == _perSession.end() ? 0 : count->second;
}

void WsTickets::erase(std::unordered_map<std::string, Entry>::iterator it)
{
	auto count = _perSession.find(it->second.token);
	if (count != _perSession.end() && --count->second == 0) _perSession.erase(count);
	_tickets.erase(it);
}

void WsTickets::dropExpired(Poco::Int64 nowMs)
{
	for (auto it = _tickets.begin(); it != _tickets.end();)
	{
		auto next = std::next(it);
		if (it->second.expiresMs <= nowMs) erase(it);
		it = next;
	}
}

} } // namespace Palaver::Auth
