//
// GroupCommitWriter.h
//

#ifndef Palaver_Messages_GroupCommitWriter_INCLUDED
#define Palaver_Messages_GroupCommitWriter_INCLUDED

#include "palaver/Message.h"
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace Poco { class Logger; }

namespace Palaver {

class Counter;
class Gauge;
class HttpError;

namespace Messages {

/// One writer thread that commits waiting messages together (group commit).
///
/// writeAsync() queues a message with a callback and returns at once; write()
/// does the same and waits for its callback. The writer takes everything
/// waiting (at most maxBatch), stamps it with the time, hands it to the store
/// function, which inserts the whole batch in ONE transaction and fills in the
/// ids, and goes on with the next batch: only that is serial. A second
/// thread ("msg-publisher") then calls each message's callback and the
/// published function for each message in id order, batch after batch (at
/// most maxQueue committed messages wait for it; past that the writer waits). A sync per batch instead of one per message is
/// what makes this fast; callers that do not wait (writeAsync) let a batch
/// grow up to maxBatch without a thread per message.
/// A batch whose store throws fails all its messages with HttpError 503.
class GroupCommitWriter
{
public:
	/// Inserts every message of the batch in one transaction and sets each id;
	/// throws when the batch could not be committed (nothing stored then).
	using StoreBatch = std::function<void(std::vector<Message*>& batch)>;
	/// Called on the publisher thread for each stored message, in id order,
	/// before the Done callbacks of its batch.
	using Published = std::function<void(const Message& message)>;
	/// The outcome of one queued message, on the publisher thread: exactly one
	/// of stored (with id and timestamp) and error (HttpError 503) is non-null.
	/// Both point to objects that live only for the duration of the call.
	using Done = std::function<void(const Message* stored, const HttpError* error)>;

	struct Options
	{
		std::size_t maxBatch = 512;   /// most messages per transaction
		std::size_t maxQueue = 10000; /// most messages waiting; past it write() answers 503 at once
		long timeoutMs = 10000;       /// longest wait of a caller before 503
	};

	/// Optional metrics; any may be null.
	struct Metrics
	{
		Counter* stored = nullptr;
		Counter* failed = nullptr;
		Counter* batches = nullptr;
		Gauge* batchSize = nullptr;
		Gauge* queued = nullptr;
	};

	GroupCommitWriter(StoreBatch store, Published published, Options options, Poco::Logger& logger, Metrics metrics);
	~GroupCommitWriter();  /// stops (and drains) if still running

	GroupCommitWriter(const GroupCommitWriter&) = delete;
	GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

	void start();

	/// Refuses new messages, stores every one already queued, calls their
	/// callbacks and publishes them, then joins the threads.
	void stop();

	bool running() const;

	/// Messages waiting for the writer (not counting the batch being stored).
	std::size_t queueLength() const;

	/// Queues message (its id and timestamp are set by the writer) and waits
	/// until it is committed; returns it with id and timestamp. Throws
	/// HttpError 503 when the writer is not running, the queue is full, the
	/// batch failed, or the timeout passed. Called on the publisher thread
	/// (from the Published or a Done callback), throws Poco::IllegalStateException
	/// at once: it would wait for itself.
	Message write(Message message);

	/// Queues message (its id and timestamp are set by the writer) and returns
	/// at once. done is then called exactly once, on the publisher thread, after
	/// the message's batch committed (with the message) or failed (with
	/// HttpError 503); it must be quick and must not throw or block (it holds
	/// up the batch's other callbacks and the next batches'). A message queued
	/// this way does not time out: the writer takes it in turn, and stop()
	/// stores it before it returns. Throws HttpError 503 (and never calls
	/// done) when the writer is not running or the queue is full.
	void writeAsync(Message message, Done done);

private:
	enum class State { Queued, Writing, Finished };

	struct Pending
	{
		Message message;
		Done done;
		State state = State::Queued;     /// guarded by _mutex
	};
	using PendingPtr = std::shared_ptr<Pending>;

	/// Queues a pending message (503 when not running or full).
	void enqueue(const PendingPtr& pending);
	/// Removes a message the writer has not taken yet; false if it has.
	bool takeBack(const PendingPtr& pending);
	/// A batch the writer is done with, for the publisher.
	struct Committed
	{
		std::vector<PendingPtr> batch;
		bool stored = false;
	};

	void finish(std::vector<PendingPtr>& batch, const HttpError* error);
	void run();
	/// Commits the batch and hands it to the publisher (the batch is moved).
	void storeBatch(std::vector<PendingPtr>& batch);
	/// The publisher thread: callbacks and published, batch after batch.
	void publish();
	/// One batch on the publisher thread: Published for each message, then the Done callbacks.
	void answer(Committed& committed);

	StoreBatch _store;
	Published _published;
	Options _options;
	Poco::Logger& _logger;
	Metrics _metrics;

	mutable std::mutex _mutex;
	std::condition_variable _work;   /// the writer waits on it for messages
	std::deque<PendingPtr> _queue;
	bool _accepting = false;
	bool _stopping = false;
	std::thread _thread;
	std::condition_variable _committedReady;  /// the publisher waits on it for batches
	std::condition_variable _committedRoom;   /// the writer waits on it while maxQueue messages wait to be published
	std::deque<Committed> _committed;         /// guarded by _mutex
	std::size_t _committedMessages = 0;       /// in _committed
	bool _writerDone = false;                 /// the writer has handed over its last batch
	std::thread _publisher;
};

} } // namespace Palaver::Messages

#endif
