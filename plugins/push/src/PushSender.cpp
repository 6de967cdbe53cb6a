#include "PushSender.h"
#include "Base64Url.h"
#include "PayloadCipher.h"
#include "palaver/Counter.h"
#include "palaver/Failure.h"
#include <Poco/Logger.h>
#include <Poco/NumberParser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <algorithm>
#include <memory>

namespace Palaver {
namespace Push {

namespace {

// The JWT's lifetime: RFC 8292 allows at most 24 hours.
const Poco::Int64 JWT_LIFETIME_SECONDS = 12 * 3600;

Poco::Timespan milliseconds(Poco::Int64 ms)
{
	return Poco::Timespan(ms * 1000);
}

/// Reads and discards at most limit bytes of the answer's body: a push
/// service has nothing to say that needs more, and a hostile one must not
/// make the server read without end.
void drain(std::istream& body, std::size_t limit)
{
	char buffer[4096];
	std::size_t read = 0;
	while (read < limit && body.read(buffer, static_cast<std::streamsize>(std::min(sizeof(buffer), limit - read))))
		read += static_cast<std::size_t>(body.gcount());
}

} // namespace

PushSender::PushSender(SubscriptionRepository& repository, const VapidKey& key, const EndpointGuard& guard,
	Settings settings, Counters counters, Poco::Logger& logger):
	_repository(repository),
	_key(key),
	_guard(guard),
	_settings(std::move(settings)),
	_counters(counters),
	_logger(logger),
	_tls(new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", Poco::Net::Context::VERIFY_RELAXED, 9, true))
{
}

PushSender::~PushSender()
{
	stop();
}

void PushSender::start()
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (_state != State::Stopped) return;
	_state = State::Running;
	for (std::size_t i = 0; i < _settings.threads; ++i) _threads.emplace_back([this] { run(); });
}

void PushSender::stop()
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_state != State::Running) return;
		_state = State::Draining;
		_drainEnd = Poco::Timestamp() + _settings.drainMs * 1000;
	}
	_changed.notify_all();
	for (auto& thread: _threads) thread.join();
	_threads.clear();
	std::size_t dropped = 0;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_state = State::Stopped;
		dropped = _queue.size();
		_queue.clear();
	}
	if (dropped) _logger.warning("push: %z pushes still queued at stop (retries not due yet, or past drain_timeout) were dropped", dropped);
}

bool PushSender::notify(Recipients recipients, const std::string& payload)
{
	Job job;
	job.recipients = std::move(recipients);
	job.payload = payload;
	if (enqueue(std::move(job), Poco::Timestamp(), true)) return true;
	count(_counters.dropped);
	return false;
}

bool PushSender::enqueue(Job job, Poco::Timestamp due, bool fresh)
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		const bool open = _state == State::Running || (_state == State::Draining && !fresh);
		if (!open || _queue.size() >= _settings.maxQueue) return false;
		_queue.emplace(due, std::move(job));
	}
	_changed.notify_one();
	return true;
}

Poco::Int64 PushSender::backOffMs(const Settings& settings, unsigned attempt, Poco::Int64 retryAfterMs)
{
	Poco::Int64 delay = settings.retryDelayMs;
	for (unsigned i = 2; i < attempt && delay < settings.maxRetryDelayMs; ++i) delay *= 2;
	return std::min(std::max(delay, retryAfterMs), settings.maxRetryDelayMs);
}

void PushSender::count(Counter* counter)
{
	if (counter) counter->inc();
}

void PushSender::run()
{
	std::unique_lock<std::mutex> lock(_mutex);
	for (;;)
	{
		const Poco::Timestamp now;
		const bool due = !_queue.empty() && _queue.begin()->first <= now;
		// Draining: a thread that finds nothing due ends; one still sending
		// takes the stages its push queues when it is done.
		if (_state == State::Draining && (!due || now >= _drainEnd)) return;
		if (_queue.empty())
		{
			_changed.wait(lock);
			continue;
		}
		if (!due)
		{
			_changed.wait_for(lock, std::chrono::microseconds(_queue.begin()->first - now));
			continue;
		}
		Job job = std::move(_queue.begin()->second);
		_queue.erase(_queue.begin());
		lock.unlock();
		process(job);
		lock.lock();
	}
}

void PushSender::process(Job& job)
{
	std::string reason;
	const bool done = Failure::caught([&]
	{
		if (job.recipients)
		{
			for (Poco::Int64 userId: job.recipients()) forward(job, userId);
		}
		else if (job.subscription.id.empty())
		{
			for (const Subscription& subscription: _repository.ofUser(job.userId)) forward(job, job.userId, subscription);
		}
		else
		{
			deliver(job);
		}
	}, reason);
	if (done) return;
	count(_counters.failed);
	_logger.error("push: a push to user %Ld failed: %s", job.userId, reason);
}

void PushSender::forward(const Job& job, Poco::Int64 userId, const Subscription& subscription)
{
	Job next;
	next.userId = userId;
	next.payload = job.payload;
	next.subscription = subscription;
	if (!enqueue(std::move(next), Poco::Timestamp(), false)) count(_counters.dropped);
}

void PushSender::deliver(Job& job)
{
	Poco::Int64 retryAfterMs = 0;
	Outcome outcome;
	try
	{
		outcome = post(job.subscription, job.payload, retryAfterMs);
	}
	catch (Poco::InvalidArgumentException& e)
	{
		// The endpoint is refused (now resolves to a private address, say).
		_logger.warning("push: subscription %s refused: %s", job.subscription.id, e.displayText());
		outcome = Outcome::Refused;
	}
	catch (Poco::Exception& e)
	{
		// Unreachable, timed out, TLS failed: worth another try.
		_logger.information("push: subscription %s, attempt %u: %s", job.subscription.id, job.attempt, e.displayText());
		outcome = Outcome::Retry;
	}
	switch (outcome)
	{
	case Outcome::Delivered:
		count(_counters.sent);
		return;
	case Outcome::Gone:
		_repository.removeById(job.subscription.id);
		_logger.information("push: subscription %s is gone: deleted", job.subscription.id);
		return;
	case Outcome::Retry:
		if (job.attempt < _settings.maxAttempts)
		{
			++job.attempt;
			const Poco::Int64 delay = backOffMs(_settings, job.attempt, retryAfterMs);
			if (enqueue(job, Poco::Timestamp() + delay * 1000, false)) return;
		}
		break;
	case Outcome::Refused:
		break;
	}
	count(_counters.failed);
	_logger.warning("push: gave up on a push to subscription %s after %u attempts", job.subscription.id, job.attempt);
}

PushSender::Outcome PushSender::post(const Subscription& subscription, const std::string& payload, Poco::Int64& retryAfterMs)
{
	const Poco::URI endpoint = _guard.parse(subscription.endpoint);
	const Poco::Net::SocketAddress address = _guard.resolve(endpoint);
	const std::string body = PayloadCipher::encrypt(payload, Base64Url::decode(subscription.p256dh), Base64Url::decode(subscription.auth));

	Poco::Net::StreamSocket socket(address.family());
	socket.connect(address, milliseconds(_settings.connectTimeoutMs));
	socket.setReceiveTimeout(milliseconds(_settings.responseTimeoutMs));
	socket.setSendTimeout(milliseconds(_settings.responseTimeoutMs));
	// Connected to the checked address; TLS names (SNI) and verifies the host.
	std::unique_ptr<Poco::Net::HTTPClientSession> session;
	if (endpoint.getScheme() == "https")
		session.reset(new Poco::Net::HTTPSClientSession(Poco::Net::SecureStreamSocket::attach(socket, endpoint.getHost(), _tls)));
	else
		session.reset(new Poco::Net::HTTPClientSession(socket));
	session->setTimeout(milliseconds(_settings.connectTimeoutMs), milliseconds(_settings.responseTimeoutMs), milliseconds(_settings.responseTimeoutMs));

	Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, endpoint.getPathEtc(), Poco::Net::HTTPMessage::HTTP_1_1);
	request.setHost(endpoint.getHost(), endpoint.getPort());
	request.setKeepAlive(false);
	request.set("TTL", std::to_string(_settings.ttlSeconds));
	request.set("Urgency", "high");
	request.set("Content-Encoding", "aes128gcm");
	request.setContentType("application/octet-stream");
	request.setContentLength(static_cast<std::streamsize>(body.size()));
	const Poco::Int64 expiresAt = Poco::Timestamp().epochTime() + JWT_LIFETIME_SECONDS;
	request.set("Authorization", _key.authorization(EndpointGuard::origin(endpoint), expiresAt, _settings.subject));
	session->sendRequest(request) << body;

	Poco::Net::HTTPResponse response;
	std::istream& answer = session->receiveResponse(response);
	drain(answer, _settings.maxResponse);
	const int status = static_cast<int>(response.getStatus());
	if (status >= 200 && status < 300) return Outcome::Delivered;
	if (status == 404 || status == 410) return Outcome::Gone;
	if (status == 429 || status >= 500)
	{
		int seconds = 0;
		if (Poco::NumberParser::tryParse(response.get("Retry-After", ""), seconds) && seconds > 0)
			retryAfterMs = static_cast<Poco::Int64>(seconds) * 1000;
		return Outcome::Retry;
	}
	_logger.warning("push: the push service answered %d to subscription %s", status, subscription.id);
	return Outcome::Refused;
}

} } // namespace Palaver::Push
