#include "EventBusImpl.h"
#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <cppunit/extensions/HelperMacros.h>
#include <vector>

using Palaver::Server::EventBusImpl;

class EventBusTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(EventBusTest);
	CPPUNIT_TEST(deliversInSubscriptionOrder);
	CPPUNIT_TEST(deliversOnlyTheNamedEvent);
	CPPUNIT_TEST(unsubscribeStopsDelivery);
	CPPUNIT_TEST(failingSubscriberDoesNotStopOthers);
	CPPUNIT_TEST_SUITE_END();

public:
	EventBusTest(): _bus(Poco::Logger::get("test")) {}

	void deliversInSubscriptionOrder()
	{
		std::vector<std::string> calls;
		_bus.subscribe("a", [&](const std::string&, const Poco::JSON::Object::Ptr& p) { calls.push_back("first:" + p->getValue<std::string>("v")); });
		_bus.subscribe("a", [&](const std::string& e, const Poco::JSON::Object::Ptr&) { calls.push_back("second:" + e); });
		_bus.publish("a", payload("x"));
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), calls.size());
		CPPUNIT_ASSERT_EQUAL(std::string("first:x"), calls[0]);
		CPPUNIT_ASSERT_EQUAL(std::string("second:a"), calls[1]);
	}

	void deliversOnlyTheNamedEvent()
	{
		int a = 0, b = 0;
		_bus.subscribe("a", [&](const std::string&, const Poco::JSON::Object::Ptr&) { ++a; });
		_bus.subscribe("b", [&](const std::string&, const Poco::JSON::Object::Ptr&) { ++b; });
		_bus.publish("b", payload("x"));
		_bus.publish("c", payload("x"));
		CPPUNIT_ASSERT_EQUAL(0, a);
		CPPUNIT_ASSERT_EQUAL(1, b);
	}

	void unsubscribeStopsDelivery()
	{
		int calls = 0;
		auto id = _bus.subscribe("a", [&](const std::string&, const Poco::JSON::Object::Ptr&) { ++calls; });
		_bus.publish("a", payload("1"));
		_bus.unsubscribe(id);
		_bus.publish("a", payload("2"));
		CPPUNIT_ASSERT_EQUAL(1, calls);
	}

	void failingSubscriberDoesNotStopOthers()
	{
		int calls = 0;
		_bus.subscribe("a", [](const std::string&, const Poco::JSON::Object::Ptr&) { throw Poco::IllegalStateException("boom"); });
		_bus.subscribe("a", [&](const std::string&, const Poco::JSON::Object::Ptr&) { ++calls; });
		_bus.publish("a", payload("1"));
		CPPUNIT_ASSERT_EQUAL(1, calls);
	}

private:
	static Poco::JSON::Object::Ptr payload(const std::string& v)
	{
		Poco::JSON::Object::Ptr p = new Poco::JSON::Object;
		p->set("v", v);
		return p;
	}

	EventBusImpl _bus;
};

CPPUNIT_TEST_SUITE_REGISTRATION(EventBusTest);
