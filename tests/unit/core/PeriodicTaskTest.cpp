// PeriodicTask: runs every interval until stop(), logs a failing task once
// and its recovery once, and can be started again.
#include "palaver/PeriodicTask.h"
#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>
#include <cppunit/extensions/HelperMacros.h>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

using Palaver::PeriodicTask;

namespace {

/// Keeps what is logged.
class RecordingChannel: public Poco::Channel
{
public:
	void log(const Poco::Message& message) override
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_lines.push_back(message.getText());
	}

	std::vector<std::string> lines()
	{
		std::lock_guard<std::mutex> lock(_mutex);
		return _lines;
	}

private:
	std::mutex _mutex;
	std::vector<std::string> _lines;
};

/// Waits (bounded) until condition holds.
template <typename Condition>
bool eventually(Condition condition)
{
	for (int i = 0; i < 500; ++i)
	{
		if (condition()) return true;
		std::this_thread::sleep_for(std::chrono::milliseconds(10));
	}
	return condition();
}

} // namespace

class PeriodicTaskTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(PeriodicTaskTest);
	CPPUNIT_TEST(runsEveryIntervalUntilStopped);
	CPPUNIT_TEST(failuresAreLoggedOnce);
	CPPUNIT_TEST(stopsAtOnceDuringALongInterval);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		_channel = new RecordingChannel;
		_logger = &Poco::Logger::get("test.periodic");
		_logger->setChannel(_channel);
		_logger->setLevel(Poco::Message::PRIO_INFORMATION);
	}

	void runsEveryIntervalUntilStopped()
	{
		std::atomic<int> runs{0};
		PeriodicTask task("test-task", "test: counting", std::chrono::milliseconds(10), [&] { ++runs; }, *_logger);
		task.start();
		task.start();  // already running: nothing more
		CPPUNIT_ASSERT(eventually([&] { return runs >= 3; }));
		task.stop();
		const int stopped = runs;
		std::this_thread::sleep_for(std::chrono::milliseconds(50));
		CPPUNIT_ASSERT_EQUAL(stopped, runs.load());
		task.start();
		CPPUNIT_ASSERT(eventually([&] { return runs > stopped; }));
	}

	void failuresAreLoggedOnce()
	{
		std::atomic<int> runs{0};
		std::atomic<bool> failing{true};
		PeriodicTask task("test-task", "test: flaky", std::chrono::milliseconds(5), [&]
		{
			++runs;
			if (failing) throw Poco::IOException("disk on fire");
		}, *_logger);
		task.start();
		CPPUNIT_ASSERT(eventually([&] { return runs >= 5; }));
		failing = false;
		const int failed = runs;
		CPPUNIT_ASSERT(eventually([&] { return runs >= failed + 3; }));
		task.stop();
		const std::vector<std::string> lines = _channel->lines();
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), lines.size());
		CPPUNIT_ASSERT_EQUAL(std::string("test: flaky failed (retrying every 5 ms): I/O error: disk on fire"), lines[0]);
		CPPUNIT_ASSERT_EQUAL(std::string("test: flaky: works again"), lines[1]);
	}

	void stopsAtOnceDuringALongInterval()
	{
		PeriodicTask task("test-task", "test: idle", std::chrono::hours(1), [] {}, *_logger);
		task.start();
		const auto started = std::chrono::steady_clock::now();
		task.stop();
		CPPUNIT_ASSERT(std::chrono::steady_clock::now() - started < std::chrono::seconds(1));
	}

private:
	Poco::AutoPtr<RecordingChannel> _channel;
	Poco::Logger* _logger = nullptr;
};

CPPUNIT_TEST_SUITE_REGISTRATION(PeriodicTaskTest);
