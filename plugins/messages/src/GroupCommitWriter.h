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

namespace Messages {

/// One writer thread that commits waiting messages together (group commit).
///
/// write() queues a message and blocks its caller until the writer has stored
/// it. The writer takes everything waiting (at most maxBatch), stamps it with
/// the time, hands it to the store function, which inserts the whole batch in
/// ONE transaction and fills in the ids, then wakes the callers with their
/// message and calls the published function for each message in id order.
/// A sync per batch instead of one per message is what makes this fast.
/// A batch whose store throws fails all its callers with HttpError 503.
class GroupCommitWriter
{
public:
	/// Inserts every message of the batch in one transaction and sets each id;
	/// throws when the batch could not be committed (nothing stored then).
	using StoreBatch = std::function<void(std::vector<Message*>& batch)>;
	/// Called on the writer thread for each stored message, in id order.
	using Published = std::function<void(const Message& message)>;

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

	/// Refuses new messages, stores every one already queued, then joins the thread.
	void stop();

	bool running() const;

	/// Messages waiting for the writer (not counting the batch being stored).
	std::size_t queueLength() const;

	/// Queues message (its id and timestamp are set by the writer) and waits
	/// until it is committed; returns it with id and timestamp. Throws
	/// HttpError 503 when the writer is not running, the queue is full, the
	/// batch failed, or the timeout passed.
	Message write(Message message);

private:
	enum class State { Queued, Writing, Stored, Failed };

	struct Pending
	{
		Message message;
		State state = State::Queued;     /// guarded by _mutex
		std::condition_variable done;    /// its caller waits on it, with _mutex
	};
	using PendingPtr = std::shared_ptr<Pending>;

	void run();
	void storeBatch(std::vector<PendingPtr>& batch);

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
};

} } // namespace Palaver::Messages

#endif
