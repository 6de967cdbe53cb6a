//
// WsTickets.h
//

#ifndef Palaver_Auth_WsTickets_INCLUDED
#define Palaver_Auth_WsTickets_INCLUDED

#include <Poco/Types.h>
#include <atomic>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace Palaver {
namespace Auth {

/// WebSocket tickets (POST /ws/ticket): short-lived, single-use stand-ins for
/// a session token, so that a browser that cannot send the cookie to the ws
/// port never puts its token in a URL (and so in access logs). A ticket is
/// 16 random bytes (128 bits) as 32 hex digits, kept in memory only, on the
/// node that gave it. It lasts ttl seconds, is used up by its first
/// redemption, and is worth only as much as its session: the caller checks
/// the token it gets back (a logged-out session's ticket opens nothing).
///
/// Bounded: at most PER_SESSION tickets wait per session and capacity in
/// all; expired ones are dropped when the table is full. Thread-safe.
class WsTickets
{
public:
	static constexpr std::size_t BYTES = 16;
	static constexpr std::size_t PER_SESSION = 8;

	WsTickets(Poco::Int64 ttlSeconds, std::size_t capacity);

	/// A new ticket for the session token. Throws HttpError 429 when the
	/// session already has PER_SESSION unused tickets, 503 when the table is
	/// full of unexpired ones.
	std::string issue(const std::string& token, Poco::Int64 nowMs);
	std::string issue(const std::string& token) { return issue(token, clockMs()); }

	/// The token of an unexpired, unused ticket, "" otherwise; the ticket is
	/// gone either way.
	std::string redeem(const std::string& ticket, Poco::Int64 nowMs);
	std::string redeem(const std::string& ticket) { return redeem(ticket, clockMs()); }

	/// Seconds a new ticket lasts ([auth] ws_ticket_ttl, re-read on SIGHUP).
	void setTtl(Poco::Int64 ttlSeconds);

	/// Tickets waiting (expired ones included until they are dropped).
	std::size_t size() const;

	/// Milliseconds on the monotonic clock.
	static Poco::Int64 clockMs();

private:
	struct Entry
	{
		std::string token;
		Poco::Int64 expiresMs = 0;
	};

	/// Unused tickets of the session token; the mutex is held.
	std::size_t waiting(const std::string& token) const;
	/// Removes the entry at it and its count; the mutex is held.
	void erase(std::unordered_map<std::string, Entry>::iterator it);
	void dropExpired(Poco::Int64 nowMs);

	std::atomic<Poco::Int64> _ttlMs;
	const std::size_t _capacity;
	mutable std::mutex _mutex;
	std::unordered_map<std::string, Entry> _tickets;       /// ticket -> its session
	std::unordered_map<std::string, std::size_t> _perSession;  /// token -> waiting tickets
};

} } // namespace Palaver::Auth

#endif
