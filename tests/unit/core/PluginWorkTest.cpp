// PluginWork, a plugin's WorkQueue on the core's work threads: a plugin's
// tasks run in order, one at a time, off the caller's thread; the queue is
// bounded per plugin; stopping refuses new tasks, drains the queued ones and
// drops what is left after the time-out.
#include "PluginWork.h"
#include "palaver/HttpError.h"
#include "palaver/WorkerPool.h"
#include <Poco/Logger.h>
#include <cppunit/extensions/HelperMacros.h>
#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

using namespace Palaver;
using namespace Palaver::Server;

class PluginWorkTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(PluginWorkTest);
	CPPUNIT_TEST(runsInOrderOneAtATimeOffTheCaller);
	CPPUNIT_TEST(refusesPastItsBound);
	CPPUNIT_TEST(aThrowingTaskDoesNotStopTheQueue);
	CPPUNIT_TEST(closeRefusesAndDrains);
	CPPUNIT_TEST(dropsWhatIsLeftAfterTheTimeout);
	CPPUNIT_TEST(pluginsShareThePoolFairly);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		_pool.reset(new WorkerPool(2, 100, "test-work"));
		_pool->start();
	}

	void tearDown() override
	{
		_pool->stop();
	}

	void runsInOrderOneAtATimeOffTheCaller()
	{
		auto work = make(1000);
		std::mutex mutex;
		std::vector<int> order;
		std::atomic<int> running{0};
		std::atomic<bool> overlapped{false};
		std::atomic<bool> onCaller{false};
		const auto caller = std::this_thread::get_id();
		for (int i = 0; i < 100; ++i)
		{
			work->submit([&, i]
			{
				if (++running > 1) overlapped = true;
				if (std::this_thread::get_id() == caller) onCaller = true;
				{
					std::lock_guard<std::mutex> lock(mutex);
					order.push_back(i);
				}
				--running;
			});
		}
		CPPUNIT_ASSERT(work->waitDrained(Poco::Timespan(5, 0)));
		CPPUNIT_ASSERT_EQUAL(std::size_t(100), order.size());
		for (int i = 0; i < 100; ++i) CPPUNIT_ASSERT_EQUAL(i, order[i]);
		CPPUNIT_ASSERT(!overlapped);
		CPPUNIT_ASSERT(!onCaller);
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), work->pending());
	}

	void refusesPastItsBound()
	{
		auto work = make(3);
		std::promise<void> release;
		std::shared_future<void> released = release.get_future().share();
		std::promise<void> started;
		work->submit([&started, released] { started.set_value(); released.wait(); });
		started.get_future().wait();
		work->submit([] {});
		work->submit([] {});
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), work->pending());
		try
		{
			work->submit([] {});
			CPPUNIT_FAIL("a fourth task must be refused");
		}
		catch (HttpError& e)
		{
			CPPUNIT_ASSERT_EQUAL(503, e.status());
			CPPUNIT_ASSERT_EQUAL(std::string("busy"), e.code());
		}
		release.set_value();
		CPPUNIT_ASSERT(work->waitDrained(Poco::Timespan(5, 0)));
		work->submit([] {});  // room again
		CPPUNIT_ASSERT(work->waitDrained(Poco::Timespan(5, 0)));
	}

	void aThrowingTaskDoesNotStopTheQueue()
	{
		auto work = make(10);
		std::atomic<int> ran{0};
		work->submit([] { throw Poco::IOException("disk gone"); });
		work->submit([] { throw std::runtime_error("oops"); });
		work->submit([&ran] { ++ran; });
		CPPUNIT_ASSERT(work->waitDrained(Poco::Timespan(5, 0)));
		CPPUNIT_ASSERT_EQUAL(1, ran.load());
	}

	void closeRefusesAndDrains()
	{
		auto work = make(100);
		std::atomic<int> ran{0};
		std::promise<void> release;
		std::shared_future<void> released = release.get_future().share();
		work->submit([released] { released.wait(); });
		for (int i = 0; i < 10; ++i) work->submit([&ran] { ++ran; });
		work->close();
		CPPUNIT_ASSERT_THROW(work->submit([] {}), HttpError);
		release.set_value();
		CPPUNIT_ASSERT(work->waitDrained(Poco::Timespan(5, 0)));
		CPPUNIT_ASSERT_EQUAL(10, ran.load());  // queued before close: run
	}

	void dropsWhatIsLeftAfterTheTimeout()
	{
		auto work = make(100);
		std::atomic<int> ran{0};
		auto alive = std::make_shared<int>(0);
		std::promise<void> release;
		std::shared_future<void> released = release.get_future().share();
		work->submit([released] { released.wait(); });
		work->submit([&ran, alive] { ++ran; });
		work->close();
		CPPUNIT_ASSERT(!work->waitDrained(Poco::Timespan(0, 100000)));
		// The queued task's closure is destroyed at once (plugin code), never run.
		CPPUNIT_ASSERT_EQUAL(1L, alive.use_count());
		release.set_value();
		CPPUNIT_ASSERT(work->waitDrained(Poco::Timespan(5, 0)));
		CPPUNIT_ASSERT_EQUAL(0, ran.load());
	}

	void pluginsShareThePoolFairly()
	{
		// Two threads: a plugin whose task blocks holds one; another plugin's
		// tasks run on the other meanwhile.
		auto slow = make(10);
		auto quick = make(10);
		std::promise<void> release;
		std::shared_future<void> released = release.get_future().share();
		slow->submit([released] { released.wait(); });
		std::promise<void> done;
		quick->submit([&done] { done.set_value(); });
		CPPUNIT_ASSERT(done.get_future().wait_for(std::chrono::seconds(5)) == std::future_status::ready);
		release.set_value();
		CPPUNIT_ASSERT(slow->waitDrained(Poco::Timespan(5, 0)));
	}

private:
	std::shared_ptr<PluginWork> make(std::size_t maxPending)
	{
		return std::make_shared<PluginWork>(*_pool, maxPending, Poco::Logger::get("test.work"));
	}

	std::unique_ptr<WorkerPool> _pool;
};

CPPUNIT_TEST_SUITE_REGISTRATION(PluginWorkTest);
