// GroupCommitWriter against a fake store: grouping, ordering, failures,
// time-outs and draining on stop.
#include "GroupCommitWriter.h"
#include "palaver/Counter.h"
#include "palaver/Gauge.h"
#include "palaver/HttpError.h"
#include <Poco/Logger.h>
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
	CPPUNIT_TEST_SUITE_END();

public:
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

private:
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
