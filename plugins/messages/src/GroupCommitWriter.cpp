#include "GroupCommitWriter.h"
#include "palaver/Counter.h"
#include "palaver/Gauge.h"
#include "palaver/HttpError.h"
#include <Poco/Logger.h>
#include <Poco/Timestamp.h>
#include <algorithm>
#include <chrono>

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
	_thread = std::thread([this] { run(); });
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

Message GroupCommitWriter::write(Message message)
{
	auto pending = std::make_shared<Pending>();
	pending->message = std::move(message);

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
	const bool wake = _queue.size() == 1;
	if (wake)
	{
		// The writer sleeps only on an empty queue: one wake-up per batch is enough.
		lock.unlock();
		_work.notify_one();
		lock.lock();
	}

	auto finished = [&pending] { return pending->state == State::Stored || pending->state == State::Failed; };
	const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(_options.timeoutMs);
	if (!pending->done.wait_until(lock, deadline, finished))
	{
		if (pending->state == State::Queued)
		{
			// Not taken yet: take it back, so that it is certainly not stored.
			auto it = std::find(_queue.begin(), _queue.end(), pending);
			if (it != _queue.end()) _queue.erase(it);
			if (_metrics.failed) _metrics.failed->inc();
			_logger.warning("messages: a message waited %ld ms for the writer; refused", _options.timeoutMs);
			throw HttpError::unavailable("the message store is too slow right now");
		}
		// Its batch is being committed: its outcome comes soon (the store's
		// own busy time-out bounds it); give it one more period.
		const auto last = std::chrono::steady_clock::now() + std::chrono::milliseconds(_options.timeoutMs);
		if (!pending->done.wait_until(lock, last, finished))
		{
			_logger.error("messages: a batch has not committed after %ld ms; answering 503 (the message may still be stored)", 2 * _options.timeoutMs);
			throw HttpError::unavailable("the message store is too slow right now");
		}
	}
	if (pending->state == State::Failed)
		throw HttpError::unavailable();
	return pending->message;
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
		batch.clear();
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
	try
	{
		_store(messages);
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
	catch (HttpError& e)
	{
		_logger.error("messages: a batch of %z failed: %s", batch.size(), e.displayText());
	}
	catch (Poco::Exception& e)
	{
		_logger.error("messages: a batch of %z failed: %s", batch.size(), e.displayText());
	}
	catch (std::exception& e)
	{
		_logger.error("messages: a batch of %z failed: %s", batch.size(), std::string(e.what()));
	}
	catch (...)
	{
		_logger.error("messages: a batch of %z failed with an unknown exception", batch.size());
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
	{
		std::lock_guard<std::mutex> lock(_mutex);
		for (auto& pending: batch)
			pending->state = stored ? State::Stored : State::Failed;
	}
	// Each caller has its own condition: only the batch's callers wake.
	for (auto& pending: batch)
		pending->done.notify_one();

	if (!stored || !_published) return;
	// Ids come from one transaction in insertion order, so this is id order.
	for (const auto* message: messages)
	{
		try
		{
			_published(*message);
		}
		catch (Poco::Exception& e)
		{
			_logger.error("messages: publishing message %Ld failed: %s", message->id, e.displayText());
		}
		catch (std::exception& e)
		{
			_logger.error("messages: publishing message %Ld failed: %s", message->id, std::string(e.what()));
		}
		catch (...)
		{
			_logger.error("messages: publishing message %Ld failed with an unknown exception", message->id);
		}
	}
}

} } // namespace Palaver::Messages
