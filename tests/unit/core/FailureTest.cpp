// Failure: catches whatever work throws (Poco, std, anything else) and says
// it as text; logged() logs "<what> failed: <reason>" at error level.
#include "palaver/Failure.h"
#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>
#include <cppunit/extensions/HelperMacros.h>
#include <stdexcept>
#include <string>
#include <vector>

using Palaver::Failure;

namespace {

/// Keeps what is logged, with its priority.
class RecordingChannel: public Poco::Channel
{
public:
	void log(const Poco::Message& message) override
	{
		lines.push_back(message.getText());
		priorities.push_back(message.getPriority());
	}

	std::vector<std::string> lines;
	std::vector<Poco::Message::Priority> priorities;
};

} // namespace

class FailureTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(FailureTest);
	CPPUNIT_TEST(returningWorkIsNoFailure);
	CPPUNIT_TEST(everyKindOfThrowIsCaughtAndSaid);
	CPPUNIT_TEST(loggedSaysWhatFailedAtErrorLevel);
	CPPUNIT_TEST_SUITE_END();

public:
	void returningWorkIsNoFailure()
	{
		int calls = 0;
		std::string reason = "untouched";
		CPPUNIT_ASSERT(Failure::caught([&] { ++calls; }, reason));
		CPPUNIT_ASSERT_EQUAL(1, calls);
		CPPUNIT_ASSERT_EQUAL(std::string("untouched"), reason);
	}

	void everyKindOfThrowIsCaughtAndSaid()
	{
		std::string reason;
		CPPUNIT_ASSERT(!Failure::caught([] { throw Poco::IOException("disk on fire"); }, reason));
		CPPUNIT_ASSERT_EQUAL(std::string("I/O error: disk on fire"), reason);
		CPPUNIT_ASSERT(!Failure::caught([] { throw std::runtime_error("out of range"); }, reason));
		CPPUNIT_ASSERT_EQUAL(std::string("out of range"), reason);
		CPPUNIT_ASSERT(!Failure::caught([] { throw 42; }, reason));
		CPPUNIT_ASSERT_EQUAL(std::string("an unknown exception"), reason);
	}

	void loggedSaysWhatFailedAtErrorLevel()
	{
		Poco::AutoPtr<RecordingChannel> channel(new RecordingChannel);
		Poco::Logger& logger = Poco::Logger::get("FailureTest");
		logger.setChannel(channel);
		logger.setLevel(Poco::Message::PRIO_INFORMATION);
		CPPUNIT_ASSERT(Failure::logged(logger, "test: quiet work", [] {}));
		CPPUNIT_ASSERT(channel->lines.empty());
		CPPUNIT_ASSERT(!Failure::logged(logger, "test: flaky work", [] { throw Poco::TimeoutException("no answer"); }));
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), channel->lines.size());
		CPPUNIT_ASSERT_EQUAL(std::string("test: flaky work failed: Timeout: no answer"), channel->lines[0]);
		CPPUNIT_ASSERT_EQUAL(Poco::Message::PRIO_ERROR, channel->priorities[0]);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(FailureTest);
