// PluginGate and the scoped views of the core: calls into a plugin pass its
// gate, stopping waits for the calls under way, and withdrawing takes away
// exactly what the plugin registered.
#include "EventBusImpl.h"
#include "PluginGate.h"
#include "RouterImpl.h"
#include "ScopedEvents.h"
#include "ScopedRouter.h"
#include "palaver/HttpError.h"
#include "palaver/Request.h"
#include "palaver/Response.h"
#include <Poco/Logger.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/SocketAddress.h>
#include <cppunit/extensions/HelperMacros.h>
#include <atomic>
#include <chrono>
#include <future>
#include <memory>

using namespace Palaver;
using namespace Palaver::Server;

class PluginGateTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(PluginGateTest);
	CPPUNIT_TEST(closedGateTurnsCallsAway);
	CPPUNIT_TEST(waitIdleWaitsForCallsUnderWay);
	CPPUNIT_TEST(releaseDestroysTheCallbacks);
	CPPUNIT_TEST(ticketCountsUntilDestroyed);
	CPPUNIT_TEST(withdrawRemovesOnlyThePluginsRoutesAndSubscribers);
	CPPUNIT_TEST(matchedRouteOutlivesItsRemoval);
	CPPUNIT_TEST_SUITE_END();

public:
	void closedGateTurnsCallsAway()
	{
		auto gate = PluginGate::create();
		std::function<int(int)> doubled = gate->guard(std::function<int(int)>([](int n) { return 2 * n; }),
			std::function<int(int)>([](int) { return -1; }));
		CPPUNIT_ASSERT_EQUAL(6, doubled(3));
		gate->close();
		CPPUNIT_ASSERT_EQUAL(-1, doubled(3));
		CPPUNIT_ASSERT(gate->waitIdle(Poco::Timespan(0, 0)));
	}

	void waitIdleWaitsForCallsUnderWay()
	{
		auto gate = PluginGate::create();
		std::promise<void> entered;
		std::promise<void> proceed;
		std::shared_future<void> proceeding = proceed.get_future().share();
		std::function<void()> slow = gate->guard(std::function<void()>([&entered, proceeding]
		{
			entered.set_value();
			proceeding.wait();
		}), std::function<void()>([] {}));
		std::future<void> call = std::async(std::launch::async, slow);
		entered.get_future().wait();
		gate->close();
		CPPUNIT_ASSERT(!gate->waitIdle(Poco::Timespan(0, 50000)));
		proceed.set_value();
		CPPUNIT_ASSERT(gate->waitIdle(Poco::Timespan(5, 0)));
		call.get();
	}

	void releaseDestroysTheCallbacks()
	{
		auto gate = PluginGate::create();
		auto owned = std::make_shared<int>(7);
		std::weak_ptr<int> watch = owned;
		std::function<int()> read = gate->guard(std::function<int()>([owned] { return *owned; }), std::function<int()>([] { return 0; }));
		owned.reset();
		CPPUNIT_ASSERT_EQUAL(7, read());
		gate->close();
		CPPUNIT_ASSERT(!watch.expired());  // the wrapper still holds the callback
		gate->release();
		CPPUNIT_ASSERT(watch.expired());   // destroyed, though the wrapper lives on
		CPPUNIT_ASSERT_EQUAL(0, read());
	}

	void ticketCountsUntilDestroyed()
	{
		auto gate = PluginGate::create();
		std::shared_ptr<void> ticket = gate->ticket();
		CPPUNIT_ASSERT(ticket);
		gate->close();
		CPPUNIT_ASSERT(!gate->ticket());
		CPPUNIT_ASSERT(!gate->waitIdle(Poco::Timespan(0, 20000)));
		ticket.reset();
		CPPUNIT_ASSERT(gate->waitIdle(Poco::Timespan(0, 0)));
	}

	void withdrawRemovesOnlyThePluginsRoutesAndSubscribers()
	{
		RouterImpl router;
		router.add("GET", "/core", [](Request&, Response&) {});
		ScopedRouter scoped(router, PluginGate::create(), "fixture");
		scoped.add("GET", "/mine", [](Request&, Response&) {});
		scoped.add("POST", "/mine/{id}", [](Request&, Response&) {});
		CPPUNIT_ASSERT(router.match("GET", "/mine").route);
		scoped.withdraw();
		CPPUNIT_ASSERT(!router.match("GET", "/mine").route);
		CPPUNIT_ASSERT(!router.match("POST", "/mine/3").route);
		CPPUNIT_ASSERT(router.match("GET", "/core").route);
		// The pattern is free again for the next version.
		scoped.add("GET", "/mine", [](Request&, Response&) {});

		EventBusImpl bus(Poco::Logger::get("test"));
		auto gate = PluginGate::create();
		ScopedEvents events(bus, gate);
		std::atomic<int> mine{0};
		std::atomic<int> others{0};
		events.subscribe("e", [&mine](const std::string&, const Poco::JSON::Object::Ptr&) { ++mine; });
		bus.subscribe("e", [&others](const std::string&, const Poco::JSON::Object::Ptr&) { ++others; });
		bus.publish("e", new Poco::JSON::Object);
		events.withdraw();
		bus.publish("e", new Poco::JSON::Object);
		CPPUNIT_ASSERT_EQUAL(1, mine.load());
		CPPUNIT_ASSERT_EQUAL(2, others.load());
	}

	void matchedRouteOutlivesItsRemoval()
	{
		RouterImpl router;
		auto gate = PluginGate::create();
		ScopedRouter scoped(router, gate, "fixture");
		scoped.add("GET", "/mine", [](Request&, Response& response) { response.sendNoContent(); });
		RouterImpl::Match match = router.match("GET", "/mine");
		gate->close();
		scoped.withdraw();
		// The request that matched before is answered 503, not served by freed memory.
		Poco::Net::HTTPRequest http("GET", "/mine");
		Request request(http, Poco::Net::SocketAddress("127.0.0.1", 1), {}, std::string());
		Response response;
		try
		{
			match.route->handler(request, response);
			CPPUNIT_FAIL("a stopping plugin's route must not run");
		}
		catch (HttpError& error)
		{
			CPPUNIT_ASSERT_EQUAL(503, error.status());
			CPPUNIT_ASSERT_EQUAL(std::string("plugin_unavailable"), error.code());
		}
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(PluginGateTest);
