// GatedBodyReceiver: a plugin's streamed-body receiver as the core holds it.
// Calls pass through; stop() lets go of the plugin's receiver and its gate
// ticket at once, or after the call under way; later parts get 503.
#include "GatedBodyReceiver.h"
#include "PluginGate.h"
#include "palaver/HttpError.h"
#include "palaver/Response.h"
#include <cppunit/extensions/HelperMacros.h>
#include <atomic>
#include <future>
#include <memory>
#include <string>
#include <thread>

using namespace Palaver;
using namespace Palaver::Server;

namespace {

/// Records what it got; receive() waits for release when blocking.
struct RecordingReceiver: BodyReceiver
{
	std::string received;
	bool finished = false;
	std::atomic<bool>* destroyed = nullptr;
	std::shared_future<void> release;
	std::promise<void> entered;

	~RecordingReceiver() override { *destroyed = true; }

	void receive(const char* data, std::size_t size) override
	{
		if (release.valid())
		{
			entered.set_value();
			release.wait();
		}
		received.append(data, size);
	}

	void finish(Response&) override { finished = true; }
};

void expectRefused(GatedBodyReceiver& gated)
{
	try
	{
		gated.receive("x", 1);
		CPPUNIT_FAIL("a part after stop() was taken");
	}
	catch (HttpError& e)
	{
		CPPUNIT_ASSERT_EQUAL(503, e.status());
		CPPUNIT_ASSERT_EQUAL(std::string("plugin_unavailable"), e.code());
		CPPUNIT_ASSERT(e.headers() == HttpError::Headers({{"Retry-After", "1"}}));
	}
}

} // namespace

class GatedBodyReceiverTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(GatedBodyReceiverTest);
	CPPUNIT_TEST(callsPassThrough);
	CPPUNIT_TEST(stopLetsGoAtOnceWhenIdle);
	CPPUNIT_TEST(stopDuringACallLetsGoWhenItReturns);
	CPPUNIT_TEST_SUITE_END();

public:
	void callsPassThrough()
	{
		std::atomic<bool> destroyed{false};
		auto plugins = std::make_shared<RecordingReceiver>();
		plugins->destroyed = &destroyed;
		RecordingReceiver& seen = *plugins;
		auto gate = PluginGate::create();
		{
			GatedBodyReceiver gated(gate->ticket(), std::move(plugins), "demo");
			gated.receive("ab", 2);
			gated.receive("c", 1);
			Response response;
			gated.finish(response);
			CPPUNIT_ASSERT_EQUAL(std::string("abc"), seen.received);
			CPPUNIT_ASSERT(seen.finished);
			gate->close();
			CPPUNIT_ASSERT(!gate->waitIdle(Poco::Timespan(0, 1000)));  // its ticket counts
		}
		CPPUNIT_ASSERT(destroyed);
		CPPUNIT_ASSERT(gate->waitIdle(Poco::Timespan(0, 1000)));
	}

	void stopLetsGoAtOnceWhenIdle()
	{
		std::atomic<bool> destroyed{false};
		auto plugins = std::make_shared<RecordingReceiver>();
		plugins->destroyed = &destroyed;
		auto gate = PluginGate::create();
		GatedBodyReceiver gated(gate->ticket(), std::move(plugins), "demo");
		gated.receive("a", 1);
		gate->close();
		gated.stop();
		CPPUNIT_ASSERT(destroyed);
		CPPUNIT_ASSERT(gate->waitIdle(Poco::Timespan(0, 1000)));
		expectRefused(gated);
		Response response;
		CPPUNIT_ASSERT_THROW(gated.finish(response), HttpError);
	}

	void stopDuringACallLetsGoWhenItReturns()
	{
		std::atomic<bool> destroyed{false};
		auto plugins = std::make_shared<RecordingReceiver>();
		plugins->destroyed = &destroyed;
		std::promise<void> release;
		plugins->release = release.get_future().share();
		std::future<void> entered = plugins->entered.get_future();
		auto gate = PluginGate::create();
		GatedBodyReceiver gated(gate->ticket(), std::move(plugins), "demo");
		std::thread worker([&gated] { gated.receive("a", 1); });
		entered.wait();
		gate->close();
		gated.stop();  // returns at once: the part is still with the plugin
		CPPUNIT_ASSERT(!destroyed);
		CPPUNIT_ASSERT(!gate->waitIdle(Poco::Timespan(0, 1000)));
		release.set_value();
		worker.join();
		CPPUNIT_ASSERT(destroyed);
		CPPUNIT_ASSERT(gate->waitIdle(Poco::Timespan(0, 1000)));
		expectRefused(gated);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(GatedBodyReceiverTest);
