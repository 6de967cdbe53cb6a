#include "GroupCommitWriter.h"
#include "palaver/Counter.h"
#include "palaver/Failure.h"
#include "palaver/Gauge.h"
#include "palaver/HttpError.h"
#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/Timestamp.h>
#include <algorithm>
#include <chrono>
#include <pthread.h>

namespace Palaver {
namespace Messages {

GroupCommitWriter::GroupCommitWriter(StoreBatch store, Published published, Options options, Poco::Logger& logger, Metrics metrics):
	_store(std::move(store)),
	_published(std::move(published)),
	_options(options),
	_logger(logger),
	_metrics(metrics)
{
	if (_options.maxBatch == 0) _options.maxBatch = 1;
	if (_options.maxQueue == 0) _options.maxQueue = 1;
	if (_options.timeoutMs <= 0) _options.timeoutMs = 1;
}

GroupCommitWriter::~GroupCommitWriter()
{
	stop();
}

void GroupCommitWriter::start()
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (_thread.joinable()) return;
	_accepting = true;
	_stopping = false;
	_writerDone = false;
	_thread = std::thread([this] { run(); });
	pthread_setname_np(_thread.native_handle(), "msg-writer");  // tells it apart in top -H and perf
	_publisher = std::thread([this] { publish(); });
	pthread_setname_np(_publisher.native_handle(), "msg-publisher");
}

void GroupCommitWriter::stop()
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (!_thread.joinable()) return;
		_accepting = false;
		_stopping = true;
	}
	_work.notify_all();
	_thread.join();
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_writerDone = true;
	}
	_committedReady.notify_all();
	_publisher.join();
}

bool GroupCommitWriter::running() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _accepting;
}

std::size_t GroupCommitWriter::queueLength() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _queue.size();
}

void GroupCommitWriter::enqueue(const PendingPtr& pending)
{
	std::unique_lock<std::mutex> lock(_mutex);
	if (!_accepting)
		throw HttpError::unavailable("the message store is shutting down");
	if (_queue.size() >= _options.maxQueue)
	{
		if (_metrics.failed) _metrics.failed->inc();
		throw HttpError::unavailable("too many messages waiting to be stored");
	}
	_queue.push_back(pending);
	if (_metrics.queued) _metrics.queued->set(static_cast<std::int64_t>(_queue.size()));
	if (_queue.size() == 1)
	{
		// The writer sleeps only on an empty queue: one wake-up per batch is enough.
		lock.unlock();
		_work.notify_one();
	}
}

void GroupCommitWriter::writeAsync(Message message, Done done)
{
	if (!done) throw Poco::InvalidArgumentException("GroupCommitWriter::writeAsync needs a callback");
	auto pending = std::make_shared<Pending>();
	pending->message = std::move(message);
	pending->done = std::move(done);
	enqueue(pending);
}

Message GroupCommitWriter::write(Message message)
{
	// It would wait for the one thread that could finish it (until the time-out, holding up everyone's messages).
	const std::thread::id caller = std::this_thread::get_id();
	if (caller == _publisher.get_id() || caller == _thread.get_id())
		throw Poco::IllegalStateException("a blocking MessageStore method (post(), postToGroup()) was called on the message publisher thread, "
			"from a \"message.stored\" subscriber or a postAsync() callback: it would wait for its own thread; "
			"call postAsync() or postToGroupAsync() there, or hand the work to a WorkerPool");
	// The waiting caller's half: the writer's callback fills it in.
	struct Outcome
	{
		std::mutex mutex;
		std::condition_variable finished;
		bool done = false;
		bool stored = false;
		Message message;
	};
	auto outcome = std::make_shared<Outcome>();
	auto pending = std::make_shared<Pending>();
	pending->message = std::move(message);
	pending->done = [outcome](const Message* stored, const HttpError*)
	{
		std::lock_guard<std::mutex> lock(outcome->mutex);
		if (stored)
		{
			outcome->message = *stored;
			outcome->stored = true;
		}
		outcome->done = true;
		outcome->finished.notify_one();
	};
	enqueue(pending);

	std::unique_lock<std::mutex> lock(outcome->mutex);
	auto finished = [&outcome] { return outcome->done; };
	if (!outcome->finished.wait_for(lock, std::chrono::milliseconds(_options.timeoutMs), finished))
	{
		lock.unlock();
		if (takeBack(pending))
		{
			if (_metrics.failed) _metrics.failed->inc();
			_logger.warning("messages: a message waited %ld ms for the writer; refused", _options.timeoutMs);
			throw HttpError::unavailable("the message store is too slow right now");
		}
		// Its batch is being committed: its outcome comes soon (the store's
		// own busy time-out bounds it); give it one more period.
		lock.lock();
		if (!outcome->finished.wait_for(lock, std::chrono::milliseconds(_options.timeoutMs), finished))
		{
			_logger.error("messages: a batch has not committed after %ld ms; answering 503 (the message may still be stored)", 2 * _options.timeoutMs);
			throw HttpError::unavailable("the message store is too slow right now");
		}
	}
	if (!outcome->stored)
		throw HttpError::unavailable();
	return outcome->message;
}

bool GroupCommitWriter::takeBack(const PendingPtr& pending)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (pending->state != State::Queued) return false;
	// Not taken by the writer yet: out of the queue, so that it is certainly not stored.
	auto it = std::find(_queue.begin(), _queue.end(), pending);
	if (it != _queue.end()) _queue.erase(it);
	if (_metrics.queued) _metrics.queued->set(static_cast<std::int64_t>(_queue.size()));
	pending->state = State::Finished;
	return true;
}

void GroupCommitWriter::run()
{
	std::vector<PendingPtr> batch;
	batch.reserve(_options.maxBatch);
	while (true)
	{
		{
			std::unique_lock<std::mutex> lock(_mutex);
			_work.wait(lock, [this] { return !_queue.empty() || _stopping; });
			if (_queue.empty()) break;  // stopping, and everything is stored
			const std::size_t n = std::min(_queue.size(), _options.maxBatch);
			for (std::size_t i = 0; i < n; ++i)
			{
				_queue.front()->state = State::Writing;
				batch.push_back(std::move(_queue.front()));
				_queue.pop_front();
			}
			if (_metrics.queued) _metrics.queued->set(static_cast<std::int64_t>(_queue.size()));
		}
		storeBatch(batch);
		batch = std::vector<PendingPtr>();  // moved to the publisher
		batch.reserve(_options.maxBatch);
	}
}

void GroupCommitWriter::publish()
{
	while (true)
	{
		Committed committed;
		{
			std::unique_lock<std::mutex> lock(_mutex);
			_committedReady.wait(lock, [this] { return !_committed.empty() || _writerDone; });
			if (_committed.empty()) break;  // the writer is done, and everything is answered
			committed = std::move(_committed.front());
			_committed.pop_front();
			_committedMessages -= committed.batch.size();
		}
		_committedRoom.notify_one();
		answer(committed);
	}
}

void GroupCommitWriter::storeBatch(std::vector<PendingPtr>& batch)
{
	// One time for the whole batch: ids and timestamps then rise together.
	const Poco::Int64 now = Poco::Timestamp().epochMicroseconds();
	std::vector<Message*> messages;
	messages.reserve(batch.size());
	for (auto& pending: batch)
	{
		pending->message.timestamp = now;
		pending->message.id = 0;
		messages.push_back(&pending->message);
	}

	bool stored = false;
	std::string reason;
	if (!Failure::caught([&] { _store(messages); }, reason))
	{
		_logger.error("messages: a batch of %z failed: %s", batch.size(), reason);
	}
	else
	{
		stored = true;
		for (const auto* message: messages)
		{
			if (message->id <= 0)
			{
				stored = false;
				_logger.critical("messages: the store returned without an id for every message of a batch");
				break;
			}
		}
	}

	// Counted before anyone is answered, so that a caller never sees stale metrics.
	if (stored)
	{
		if (_metrics.stored) _metrics.stored->inc(batch.size());
		if (_metrics.batches) _metrics.batches->inc();
		if (_metrics.batchSize) _metrics.batchSize->set(static_cast<std::int64_t>(batch.size()));
	}
	else if (_metrics.failed)
	{
		_metrics.failed->inc(batch.size());
	}
	// To the publisher, in commit order; the writer waits only when it is
	// maxQueue messages ahead of it.
	{
		std::unique_lock<std::mutex> lock(_mutex);
		for (auto& pending: batch)
			pending->state = State::Finished;
		_committedRoom.wait(lock, [this] { return _committedMessages < _options.maxQueue; });
		_committedMessages += batch.size();
		_committed.push_back(Committed{std::move(batch), stored});
	}
	_committedReady.notify_one();
}

void GroupCommitWriter::answer(Committed& committed)
{
	if (!committed.stored)
	{
		const HttpError error = HttpError::unavailable();
		finish(committed.batch, &error);
		return;
	}
	// Published before the posters hear of it: whoever gets the 201 or the
	// ack and acts on the message (deletes it, say) acts after every
	// subscriber saw it stored. Ids come from one transaction in insertion
	// order, so this is id order.
	if (_published)
	{
		std::string reason;
		for (const auto& pending: committed.batch)
		{
			const Message& message = pending->message;
			if (!Failure::caught([&] { _published(message); }, reason))
				_logger.error("messages: publishing message %Ld failed: %s", message.id, reason);
		}
	}
	finish(committed.batch, nullptr);
}

void GroupCommitWriter::finish(std::vector<PendingPtr>& batch, const HttpError* error)
{
	std::string reason;
	for (auto& pending: batch)
	{
		if (!Failure::caught([&] { pending->done(error ? nullptr : &pending->message, error); }, reason))
			_logger.error("messages: a store callback failed: %s", reason);
	}
}

} } // namespace Palaver::Messages
