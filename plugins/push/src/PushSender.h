//
// PushSender.h
//

#ifndef Palaver_Push_PushSender_INCLUDED
#define Palaver_Push_PushSender_INCLUDED

#include "EndpointGuard.h"
#include "Subscription.h"
#include "SubscriptionRepository.h"
#include "VapidKey.h"
#include <Poco/Net/Context.h>
#include <Poco/Timestamp.h>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace Poco { class Logger; }

namespace Palaver {

class Counter;

namespace Push {

/// Sends Web Push messages (RFC 8030) from a bounded queue on threads of its
/// own, so that nobody who stores or delivers a message waits for a push
/// service: notify() only queues. A sender thread looks up the user's
/// subscriptions, encrypts the payload for each (PayloadCipher), signs a
/// VAPID header (VapidKey) and POSTs it to the address EndpointGuard checked,
/// with time-outs on connecting and on the answer and a bound on the answer's
/// size. 201/2xx: done; 404 and 410: the subscription is deleted; 429, 5xx
/// and network failures: tried again after a back-off that doubles (a
/// Retry-After of the service is honoured up to the cap), at most
/// maxAttempts times; anything else is logged and dropped.
class PushSender
{
public:
	struct Settings
	{
		std::size_t threads = 4;            /// [push] senders
		std::size_t maxQueue = 10000;       /// [push] queue
		unsigned maxAttempts = 5;           /// [push] max_attempts
		Poco::Int64 retryDelayMs = 1000;    /// [push] retry_delay (first back-off)
		Poco::Int64 maxRetryDelayMs = 600000;
		Poco::Int64 connectTimeoutMs = 5000;  /// [push] connect_timeout
		Poco::Int64 responseTimeoutMs = 10000; /// [push] response_timeout
		Poco::Int64 ttlSeconds = 86400;     /// [push] ttl: the TTL header
		std::size_t maxResponse = 65536;    /// bytes of a service's answer read at most
		std::string subject;                /// [push] subject: the JWT's "sub"
		Poco::Int64 drainMs = 3000;         /// [push] drain_timeout: stop() sends what is due for this long
	};

	struct Counters
	{
		Counter* sent = nullptr;     /// pushes a service accepted
		Counter* failed = nullptr;   /// pushes given up (attempts used up, refused, unreachable)
		Counter* dropped = nullptr;  /// notices refused because the queue was full
	};

	PushSender(SubscriptionRepository& repository, const VapidKey& key, const EndpointGuard& guard,
		Settings settings, Counters counters, Poco::Logger& logger);
	~PushSender();

	void start();

	/// Takes no new push, then lets the threads send what is queued and due
	/// (each push's later stages included) for at most drainMs, and ends them
	/// after the pushes in progress (each bounded by the time-outs). What is
	/// left (retries not yet due, or anything past drainMs) is dropped and
	/// logged. At most drainMs + connectTimeoutMs + responseTimeoutMs.
	void stop();

	/// Who gets a push: called on a sender thread, so it may read the
	/// database (a group's members) and ask who is connected.
	using Recipients = std::function<std::vector<Poco::Int64>()>;

	/// Queues payload (JSON, at most PayloadCipher::MAX_PLAINTEXT bytes) for
	/// every subscription of each user recipients names. Any thread; never
	/// blocks on I/O. False when the queue is full or the sender is stopped.
	bool notify(Recipients recipients, const std::string& payload);

	/// The back-off before attempt (2, 3, ...): retryDelay doubled per
	/// earlier retry, at least retryAfterMs (the service's Retry-After), at
	/// most maxRetryDelay.
	static Poco::Int64 backOffMs(const Settings& settings, unsigned attempt, Poco::Int64 retryAfterMs);

private:
	/// A push in one of its three stages: recipients to find (recipients
	/// set), a user's subscriptions to look up (subscription.id empty), one
	/// subscription to deliver to.
	struct Job
	{
		Recipients recipients;
		Poco::Int64 userId = 0;
		std::string payload;
		Subscription subscription;
		unsigned attempt = 1;
	};

	enum class Outcome { Delivered, Gone, Retry, Refused };

	/// Draining: stop() was called; the threads send what is due until
	/// _drainEnd, then end.
	enum class State { Stopped, Running, Draining };

	/// Queues job for due; false when the queue is full or the sender is
	/// stopped. A new push (fresh) only while running, the later stages and
	/// retries of one already taken while draining too.
	bool enqueue(Job job, Poco::Timestamp due, bool fresh);
	void run();
	void process(Job& job);

	/// Queues the next stage of job for userId (and subscription); counts a
	/// drop when the queue is full.
	void forward(const Job& job, Poco::Int64 userId, const Subscription& subscription = Subscription());
	void deliver(Job& job);

	/// One POST; retryAfterMs gets the service's Retry-After (0: none).
	Outcome post(const Subscription& subscription, const std::string& payload, Poco::Int64& retryAfterMs);

	static void count(Counter* counter);

	SubscriptionRepository& _repository;
	const VapidKey& _key;
	const EndpointGuard& _guard;
	const Settings _settings;
	const Counters _counters;
	Poco::Logger& _logger;
	Poco::Net::Context::Ptr _tls;

	std::mutex _mutex;
	std::condition_variable _changed;
	std::multimap<Poco::Timestamp, Job> _queue;  /// by due time
	State _state = State::Stopped;
	Poco::Timestamp _drainEnd;
	std::vector<std::thread> _threads;
};

} } // namespace Palaver::Push

#endif
