// GroupCommitWriter against a fake store: grouping, ordering, failures,
// time-outs and draining on stop.
#include "GroupCommitWriter.h"
#include "palaver/Counter.h"
#include "palaver/Gauge.h"
#include "palaver/HttpError.h"
#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/Timespan.h>
#include <Poco/Timestamp.h>
#include <cppunit/extensions/HelperMacros.h>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

using Palaver::HttpError;
using Palaver::Message;
using Palaver::Messages::GroupCommitWriter;

namespace {

/// A store that numbers messages like an auto-increment column, and records
/// what it was given. It can be made to fail, to be slow, or to block.
class FakeStore
{
public:
	void store(std::vector<Message*>& batch)
	{
		{
			std::unique_lock<std::mutex> lock(_mutex);
			++_calls;
			_blockedCv.notify_all();
			_release.wait(lock, [this] { return !_blocked; });
			if (_fail) throw Poco::IOException("disk on fire");
			for (auto* message: batch)
				message->id = ++_lastId;
			_batchSizes.push_back(batch.size());
			_stored += batch.size();
		}
		if (_delayMs) std::this_thread::sleep_for(std::chrono::milliseconds(_delayMs));
	}

	void block() { std::lock_guard<std::mutex> lock(_mutex); _blocked = true; }
	void unblock() { { std::lock_guard<std::mutex> lock(_mutex); _blocked = false; } _release.notify_all(); }
	bool waitForCalls(int n)
	{
		std::unique_lock<std::mutex> lock(_mutex);
		return _blockedCv.wait_for(lock, std::chrono::seconds(10), [&] { return _calls >= n; });
	}
	void setFail(bool fail) { std::lock_guard<std::mutex> lock(_mutex); _fail = fail; }
	void setDelay(int ms) { _delayMs = ms; }

	std::size_t stored() const { std::lock_guard<std::mutex> lock(_mutex); return _stored; }
	std::vector<std::size_t> batchSizes() const { std::lock_guard<std::mutex> lock(_mutex); return _batchSizes; }

private:
	mutable std::mutex _mutex;
	std::condition_variable _release;
	std::condition_variable _blockedCv;
	bool _blocked = false;
	bool _fail = false;
	std::atomic<int> _delayMs{0};
	int _calls = 0;
	Poco::Int64 _lastId = 0;
	std::size_t _stored = 0;
	std::vector<std::size_t> _batchSizes;
};

/// What the writer published, in order.
class Published
{
public:
	void add(const Message& message) { std::lock_guard<std::mutex> lock(_mutex); _ids.push_back(message.id); }
	std::vector<Poco::Int64> ids() const { std::lock_guard<std::mutex> lock(_mutex); return _ids; }

private:
	mutable std::mutex _mutex;
	std::vector<Poco::Int64> _ids;
};

Message makeMessage(Poco::Int64 from, Poco::Int64 to, const std::string& text)
{
	Message message;
	message.fromUserId = from;
	message.toUserId = to;
	message.text = text;
	message.fromUserName = "user" + std::to_string(from);
	return message;
}

/// A writer on a fake store, started, with what it published.
struct Rig
{
	explicit Rig(GroupCommitWriter::Options options = GroupCommitWriter::Options(), GroupCommitWriter::Metrics metrics = GroupCommitWriter::Metrics()):
		writer([this](std::vector<Message*>& batch) { store.store(batch); },
			[this](const Message& message) { published.add(message); },
			options, Poco::Logger::get("test.messages.writer"), metrics)
	{
		writer.start();
	}

	FakeStore store;
	Published published;
	GroupCommitWriter writer;
};

} // namespace

class GroupCommitWriterTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(GroupCommitWriterTest);
	CPPUNIT_TEST(testWriteReturnsIdAndTime);
	CPPUNIT_TEST(testConcurrentWritersAreGroupedAndPublishedOnceInOrder);
	CPPUNIT_TEST(testMaxBatchIsRespected);
	CPPUNIT_TEST(testFailedBatchFailsItsWritersAndPublishesNothing);
	CPPUNIT_TEST(testTimeoutTakesQueuedMessageBack);
	CPPUNIT_TEST(testFullQueueAnswers503);
	CPPUNIT_TEST(testStopDrainsAndThenRefuses);
	CPPUNIT_TEST(testAsyncCallsBackOnceAfterCommit);
	CPPUNIT_TEST(testAsyncFailedBatchReportsHttpError);
	CPPUNIT_TEST(testManyAsyncWritesShareFewTransactions);
	CPPUNIT_TEST(testAsyncRefusalsThrowWithoutCallback);
	CPPUNIT_TEST(testStopCompletesQueuedAsyncWrites);
	CPPUNIT_TEST(testWriterGoesOnWhileCallbacksRun);
	CPPUNIT_TEST(testBlockingWriteOnThePublisherThreadThrowsAtOnce);
	CPPUNIT_TEST_SUITE_END();

public:
	void testBlockingWriteOnThePublisherThreadThrowsAtOnce()
	{
		// What a "message.stored" subscriber calling MessageStore::post() does.
		FakeStore store;
		std::vector<std::string> refusals;
		Poco::Timespan longest;
		GroupCommitWriter* self = nullptr;
		auto answer = [&]()
		{
			const Poco::Timestamp started;
			try
			{
				self->write(makeMessage(2, 1, "echo"));
			}
			catch (Poco::IllegalStateException& e)
			{
				refusals.push_back(e.message());
			}
			longest = std::max(longest, Poco::Timespan(started.elapsed()));
		};
		GroupCommitWriter::Options options;
		options.timeoutMs = 10000;
		GroupCommitWriter writer([&store](std::vector<Message*>& batch) { store.store(batch); },
			[&answer](const Message& message) { if (message.text == "first") answer(); },
			options, Poco::Logger::get("test.messages.writer"), GroupCommitWriter::Metrics());
		self = &writer;
		writer.start();
		writer.write(makeMessage(1, 2, "first"));
		writer.writeAsync(makeMessage(1, 2, "second"), [&answer](const Message*, const HttpError*) { answer(); });
		writer.stop();  // the callbacks have run
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), refusals.size());
		CPPUNIT_ASSERT(refusals[0].find("called on the message publisher thread") != std::string::npos);
		CPPUNIT_ASSERT(refusals[1].find("postAsync()") != std::string::npos);
		CPPUNIT_ASSERT(longest < Poco::Timespan(0, 500000));
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), store.stored());  // the echo never was
	}

	void testWriteReturnsIdAndTime()
	{
		Palaver::Counter stored;
		GroupCommitWriter::Metrics metrics;
		metrics.stored = &stored;
		Rig rig(GroupCommitWriter::Options(), metrics);
		const Poco::Int64 before = Poco::Timestamp().epochMicroseconds();
		Message m = rig.writer.write(makeMessage(1, 2, "hola"));
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(1), m.id);
		CPPUNIT_ASSERT_EQUAL(std::string("hola"), m.text);
		CPPUNIT_ASSERT_EQUAL(std::string("user1"), m.fromUserName);
		CPPUNIT_ASSERT(m.timestamp >= before && m.timestamp <= Poco::Timestamp().epochMicroseconds());
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(2), rig.writer.write(makeMessage(2, 1, "que tal")).id);
		rig.writer.stop();
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), rig.published.ids().size());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), stored.value());
	}

	void testConcurrentWritersAreGroupedAndPublishedOnceInOrder()
	{
		Rig rig;
		rig.store.setDelay(2);  // like an fsync: writers pile up meanwhile

		const int threads = 8;
		const int perThread = 500;
		std::vector<std::vector<Message>> results(threads);
		std::atomic<int> errors{0};
		std::vector<std::thread> workers;
		for (int t = 0; t < threads; ++t)
		{
			workers.emplace_back([&, t]
			{
				for (int i = 0; i < perThread; ++i)
				{
					try
					{
						results[t].push_back(rig.writer.write(makeMessage(t + 1, 100, std::to_string(t) + ":" + std::to_string(i))));
					}
					catch (...)
					{
						++errors;
					}
				}
			});
		}
		for (auto& worker: workers) worker.join();
		rig.writer.stop();

		CPPUNIT_ASSERT_EQUAL(0, errors.load());
		std::set<Poco::Int64> ids;
		for (int t = 0; t < threads; ++t)
		{
			CPPUNIT_ASSERT_EQUAL(std::size_t(perThread), results[t].size());
			Poco::Int64 last = 0;
			for (int i = 0; i < perThread; ++i)
			{
				const Message& m = results[t][i];
				// Each caller got its own message back, and a thread's messages rise.
				CPPUNIT_ASSERT_EQUAL(std::to_string(t) + ":" + std::to_string(i), m.text);
				CPPUNIT_ASSERT(m.id > last);
				last = m.id;
				ids.insert(m.id);
			}
		}
		CPPUNIT_ASSERT_EQUAL(std::size_t(threads * perThread), ids.size());
		CPPUNIT_ASSERT_EQUAL(std::size_t(threads * perThread), rig.store.stored());

		const auto publishedIds = rig.published.ids();
		CPPUNIT_ASSERT_EQUAL(std::size_t(threads * perThread), publishedIds.size());
		for (std::size_t i = 1; i < publishedIds.size(); ++i)
			CPPUNIT_ASSERT(publishedIds[i] > publishedIds[i - 1]);  // once each, in id order

		// Grouped: far fewer transactions than messages.
		const auto sizes = rig.store.batchSizes();
		CPPUNIT_ASSERT_MESSAGE(std::to_string(sizes.size()) + " batches", sizes.size() < std::size_t(threads * perThread) / 2);
	}

	void testMaxBatchIsRespected()
	{
		GroupCommitWriter::Options options;
		options.maxBatch = 3;
		Rig rig(options);
		rig.store.block();
		std::thread first([&] { rig.writer.write(makeMessage(1, 2, "first")); });
		CPPUNIT_ASSERT(rig.store.waitForCalls(1));
		// The writer is busy: these ten queue up and go in batches of three.
		std::vector<std::thread> others;
		for (int i = 0; i < 10; ++i)
			others.emplace_back([&] { rig.writer.write(makeMessage(1, 2, "more")); });
		waitUntil([&] { return queued(rig.writer, 10); });
		rig.store.unblock();
		first.join();
		for (auto& t: others) t.join();
		rig.writer.stop();
		const auto sizes = rig.store.batchSizes();
		std::size_t total = 0;
		for (auto size: sizes)
		{
			CPPUNIT_ASSERT(size <= 3);
			total += size;
		}
		CPPUNIT_ASSERT_EQUAL(std::size_t(11), total);
		CPPUNIT_ASSERT_EQUAL(std::size_t(5), sizes.size());  // 1, then 3 + 3 + 3 + 1
	}

	void testFailedBatchFailsItsWritersAndPublishesNothing()
	{
		Palaver::Counter failed;
		GroupCommitWriter::Metrics metrics;
		metrics.failed = &failed;
		Rig rig(GroupCommitWriter::Options(), metrics);
		rig.store.setFail(true);
		assertUnavailable([&] { rig.writer.write(makeMessage(1, 2, "lost")); }, "a failed batch must fail its writer");
		CPPUNIT_ASSERT(rig.published.ids().empty());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), failed.value());
		// The writer carries on once the store recovers.
		rig.store.setFail(false);
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(1), rig.writer.write(makeMessage(1, 2, "kept")).id);
		// Published right after the writer is answered, on the writer thread.
		waitUntil([&] { return rig.published.ids().size() == 1; });
		rig.writer.stop();
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), rig.published.ids().size());
	}

	void testTimeoutTakesQueuedMessageBack()
	{
		GroupCommitWriter::Options options;
		options.timeoutMs = 100;
		Rig rig(options);
		rig.store.block();
		std::atomic<bool> firstStored{false};
		std::thread first([&]
		{
			try { rig.writer.write(makeMessage(1, 2, "slow")); firstStored = true; } catch (HttpError&) {}
		});
		CPPUNIT_ASSERT(rig.store.waitForCalls(1));
		assertUnavailable([&] { rig.writer.write(makeMessage(1, 2, "too late")); }, "a message that waits past the time-out must be refused");
		rig.store.unblock();
		first.join();
		rig.writer.stop();
		// The refused message was taken back: only the first one was stored.
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), rig.store.stored());
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), rig.published.ids().size());
	}

	void testFullQueueAnswers503()
	{
		GroupCommitWriter::Options options;
		options.maxQueue = 2;
		Rig rig(options);
		rig.store.block();
		std::vector<std::thread> waiting;
		waiting.emplace_back([&] { rig.writer.write(makeMessage(1, 2, "in the batch")); });
		CPPUNIT_ASSERT(rig.store.waitForCalls(1));
		waiting.emplace_back([&] { rig.writer.write(makeMessage(1, 2, "queued 1")); });
		waiting.emplace_back([&] { rig.writer.write(makeMessage(1, 2, "queued 2")); });
		waitUntil([&] { return queued(rig.writer, 2); });
		assertUnavailable([&] { rig.writer.write(makeMessage(1, 2, "no room")); }, "a full queue must refuse");
		rig.store.unblock();
		for (auto& t: waiting) t.join();
		rig.writer.stop();
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), rig.store.stored());
	}

	void testStopDrainsAndThenRefuses()
	{
		Rig rig;
		rig.store.setDelay(5);
		std::atomic<int> ok{0};
		std::vector<std::thread> writers;
		for (int i = 0; i < 20; ++i)
			writers.emplace_back([&] { try { rig.writer.write(makeMessage(1, 2, "x")); ++ok; } catch (HttpError&) {} });
		waitUntil([&] { return rig.store.stored() > 0; });
		rig.writer.stop();
		for (auto& t: writers) t.join();
		// Whatever was accepted before stop() was stored; nothing was lost.
		CPPUNIT_ASSERT_EQUAL(std::size_t(ok.load()), rig.store.stored());
		CPPUNIT_ASSERT_EQUAL(std::size_t(ok.load()), rig.published.ids().size());
		CPPUNIT_ASSERT(!rig.writer.running());
		assertUnavailable([&] { rig.writer.write(makeMessage(1, 2, "after stop")); }, "a stopped writer must refuse");
	}

	void testAsyncCallsBackOnceAfterCommit()
	{
		Rig rig;
		rig.store.block();
		Outcomes outcomes;
		// Returns while the store is blocked: nobody waits for the commit.
		rig.writer.writeAsync(makeMessage(1, 2, "hola"), outcomes.callback(rig.store));
		CPPUNIT_ASSERT(rig.store.waitForCalls(1));
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), outcomes.count());
		rig.store.unblock();
		waitUntil([&] { return outcomes.count() == 1; });
		rig.writer.stop();
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), outcomes.count());  // exactly once
		const Outcome o = outcomes.all().front();
		CPPUNIT_ASSERT(o.stored);
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(1), o.id);
		CPPUNIT_ASSERT_EQUAL(std::string("hola"), o.text);
		CPPUNIT_ASSERT(o.timestamp > 0);
		CPPUNIT_ASSERT(o.committedBefore >= 1);        // the store had committed it
		CPPUNIT_ASSERT(o.thread != std::this_thread::get_id());  // on the publisher thread
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), rig.published.ids().size());
	}

	void testWriterGoesOnWhileCallbacksRun()
	{
		// Only binding and committing are serial (issue 14): while the first
		// message's callback is still running, the writer commits the next batch.
		Rig rig;
		std::mutex mutex;
		std::condition_variable changed;
		bool released = false;
		bool firstCalled = false;
		bool firstAnswered = false;
		rig.writer.writeAsync(makeMessage(1, 2, "first"), [&](const Message*, const HttpError*)
		{
			std::unique_lock<std::mutex> lock(mutex);
			firstCalled = true;
			changed.notify_all();
			changed.wait_for(lock, std::chrono::seconds(10), [&] { return released; });
			firstAnswered = true;
			changed.notify_all();
		});
		CPPUNIT_ASSERT(rig.store.waitForCalls(1));
		rig.writer.writeAsync(makeMessage(1, 2, "second"), [](const Message*, const HttpError*) {});
		CPPUNIT_ASSERT(rig.store.waitForCalls(2));
		waitUntil([&] { return rig.store.stored() == 2; });
		{
			std::unique_lock<std::mutex> lock(mutex);
			// The publisher may reach the first callback only now (slow under ASan).
			CPPUNIT_ASSERT(changed.wait_for(lock, std::chrono::seconds(10), [&] { return firstCalled; }));
			CPPUNIT_ASSERT(!firstAnswered);
			// Published before its batch's callbacks; the second batch waits behind them.
			CPPUNIT_ASSERT_EQUAL(std::size_t(1), rig.published.ids().size());
			released = true;
			changed.notify_all();
		}
		rig.writer.stop();
		CPPUNIT_ASSERT(firstAnswered);
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), rig.published.ids().size());
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(1), rig.published.ids().front());
	}

	void testAsyncFailedBatchReportsHttpError()
	{
		Rig rig;
		rig.store.setFail(true);
		Outcomes outcomes;
		rig.writer.writeAsync(makeMessage(1, 2, "lost"), outcomes.callback(rig.store));
		waitUntil([&] { return outcomes.count() == 1; });
		rig.store.setFail(false);
		rig.writer.writeAsync(makeMessage(1, 2, "kept"), outcomes.callback(rig.store));
		waitUntil([&] { return outcomes.count() == 2; });
		rig.writer.stop();
		const std::vector<Outcome> all = outcomes.all();
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), all.size());
		CPPUNIT_ASSERT(!all[0].stored);
		CPPUNIT_ASSERT_EQUAL(503, all[0].status);
		CPPUNIT_ASSERT_EQUAL(std::string("storage_unavailable"), all[0].code);
		CPPUNIT_ASSERT(all[1].stored);
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(1), all[1].id);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), rig.published.ids().size());  // the failed one is not published
	}

	void testManyAsyncWritesShareFewTransactions()
	{
		Palaver::Counter batches;
		GroupCommitWriter::Metrics metrics;
		metrics.batches = &batches;
		Rig rig(GroupCommitWriter::Options(), metrics);  // maxBatch 512
		rig.store.block();
		Outcomes outcomes;
		rig.writer.writeAsync(makeMessage(1, 2, "first"), outcomes.callback(rig.store));
		CPPUNIT_ASSERT(rig.store.waitForCalls(1));
		// Four threads offer 250 messages each while the first commit is held:
		// no thread waits per message, so all of them queue at once.
		const int threads = 4;
		const int perThread = 250;
		std::vector<std::thread> posters;
		for (int t = 0; t < threads; ++t)
		{
			posters.emplace_back([&, t]
			{
				for (int i = 0; i < perThread; ++i)
					rig.writer.writeAsync(makeMessage(t + 1, 100, std::to_string(i)), outcomes.callback(rig.store));
			});
		}
		for (auto& poster: posters) poster.join();
		CPPUNIT_ASSERT_EQUAL(std::size_t(threads * perThread), rig.writer.queueLength());
		rig.store.unblock();
		const std::size_t total = threads * perThread + 1;
		waitUntil([&] { return outcomes.count() == total; });
		rig.writer.stop();
		// 1, then 512 + 488: three transactions for 1,001 messages.
		const std::vector<std::size_t> sizes = rig.store.batchSizes();
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), sizes.size());
		CPPUNIT_ASSERT_EQUAL(std::size_t(512), sizes[1]);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), batches.value());
		std::set<Poco::Int64> ids;
		for (const Outcome& o: outcomes.all())
		{
			CPPUNIT_ASSERT(o.stored);
			ids.insert(o.id);
		}
		CPPUNIT_ASSERT_EQUAL(total, ids.size());     // each message answered once, own id
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(total), *ids.rbegin());
		CPPUNIT_ASSERT_EQUAL(total, rig.published.ids().size());
	}

	void testAsyncRefusalsThrowWithoutCallback()
	{
		GroupCommitWriter::Options options;
		options.maxQueue = 1;
		Rig rig(options);
		rig.store.block();
		Outcomes outcomes;
		rig.writer.writeAsync(makeMessage(1, 2, "in the batch"), outcomes.callback(rig.store));
		CPPUNIT_ASSERT(rig.store.waitForCalls(1));
		rig.writer.writeAsync(makeMessage(1, 2, "queued"), outcomes.callback(rig.store));
		assertUnavailable([&] { rig.writer.writeAsync(makeMessage(1, 2, "no room"), outcomes.callback(rig.store)); }, "a full queue must refuse");
		rig.store.unblock();
		rig.writer.stop();
		assertUnavailable([&] { rig.writer.writeAsync(makeMessage(1, 2, "after stop"), outcomes.callback(rig.store)); }, "a stopped writer must refuse");
		// The two refused ones were never called back.
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), outcomes.count());
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), rig.store.stored());
	}

	void testStopCompletesQueuedAsyncWrites()
	{
		Rig rig;
		rig.store.block();
		Outcomes outcomes;
		for (int i = 0; i < 10; ++i)
			rig.writer.writeAsync(makeMessage(1, 2, std::to_string(i)), outcomes.callback(rig.store));
		CPPUNIT_ASSERT(rig.store.waitForCalls(1));
		std::thread stopper([&] { rig.writer.stop(); });
		rig.store.unblock();
		stopper.join();
		// stop() returned only after every accepted message was answered.
		CPPUNIT_ASSERT_EQUAL(std::size_t(10), outcomes.count());
		CPPUNIT_ASSERT_EQUAL(std::size_t(10), rig.store.stored());
	}

private:
	/// What one writeAsync callback was given.
	struct Outcome
	{
		bool stored = false;
		Poco::Int64 id = 0;
		Poco::Int64 timestamp = 0;
		std::string text;
		int status = 0;
		std::string code;
		std::size_t committedBefore = 0;  /// messages the store had committed when called
		std::thread::id thread;
	};

	/// Collects writeAsync outcomes from the writer thread.
	class Outcomes
	{
	public:
		GroupCommitWriter::Done callback(FakeStore& store)
		{
			return [this, &store](const Message* stored, const HttpError* error)
			{
				Outcome o;
				o.stored = stored != nullptr;
				if (stored)
				{
					o.id = stored->id;
					o.timestamp = stored->timestamp;
					o.text = stored->text;
				}
				if (error)
				{
					o.status = error->status();
					o.code = error->code();
				}
				o.committedBefore = store.stored();
				o.thread = std::this_thread::get_id();
				std::lock_guard<std::mutex> lock(_mutex);
				_all.push_back(o);
			};
		}

		std::size_t count() const { std::lock_guard<std::mutex> lock(_mutex); return _all.size(); }
		std::vector<Outcome> all() const { std::lock_guard<std::mutex> lock(_mutex); return _all; }

	private:
		mutable std::mutex _mutex;
		std::vector<Outcome> _all;
	};

	template <class Write>
	static void assertUnavailable(Write write, const std::string& why)
	{
		try
		{
			write();
			CPPUNIT_FAIL(why);
		}
		catch (HttpError& e)
		{
			CPPUNIT_ASSERT_EQUAL(503, e.status());
			CPPUNIT_ASSERT_EQUAL(std::string("storage_unavailable"), e.code());
		}
	}

	static Poco::Logger& logger()
	{
		return Poco::Logger::get("test.messages.writer");
	}

	// The queue length is observable through the gauge only; poll the
	// writer's own view instead: a write blocked in the queue.
	static bool queued(GroupCommitWriter& writer, std::size_t n)
	{
		return writer.queueLength() >= n;
	}

	template <class Condition>
	static void waitUntil(Condition condition)
	{
		const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
		while (!condition())
		{
			CPPUNIT_ASSERT_MESSAGE("condition not reached within 10 s", std::chrono::steady_clock::now() < deadline);
			std::this_thread::sleep_for(std::chrono::milliseconds(1));
		}
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(GroupCommitWriterTest);
