#include "palaver/DeferredResponse.h"
#include "palaver/HttpError.h"
#include "palaver/Response.h"
#include <Poco/Exception.h>
#include <cppunit/extensions/HelperMacros.h>
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

using Palaver::DeferredResponse;
using Palaver::HttpError;
using Palaver::Response;

class DeferredResponseTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(DeferredResponseTest);
	CPPUNIT_TEST(deliversWhenCompletedAfterDeliverTo);
	CPPUNIT_TEST(deliversAtOnceWhenCompletedBefore);
	CPPUNIT_TEST(onlyTheFirstCompletionCounts);
	CPPUNIT_TEST(failAnswersTheJsonError);
	CPPUNIT_TEST(thrownHttpErrorBecomesTheAnswer);
	CPPUNIT_TEST(nothingSentIsNoContent);
	CPPUNIT_TEST(racingCompletionsDeliverOnce);
	CPPUNIT_TEST(deferOnceBeforeSending);
	CPPUNIT_TEST_SUITE_END();

public:
	void deliversWhenCompletedAfterDeliverTo()
	{
		DeferredResponse deferred;
		int delivered = 0;
		std::string body;
		deferred.deliverTo([&](Response& response) { ++delivered; body = response.body(); });
		CPPUNIT_ASSERT_EQUAL(0, delivered);
		CPPUNIT_ASSERT(!deferred.completed());
		CPPUNIT_ASSERT(deferred.complete([](Response& response)
		{
			response.http().set("X-Kind", "later");
			response.sendJsonText(201, "{\"id\":7}");
		}));
		CPPUNIT_ASSERT(deferred.completed());
		CPPUNIT_ASSERT_EQUAL(1, delivered);
		CPPUNIT_ASSERT_EQUAL(std::string("{\"id\":7}"), body);
	}

	void deliversAtOnceWhenCompletedBefore()
	{
		DeferredResponse deferred;
		CPPUNIT_ASSERT(deferred.complete([](Response& response) { response.sendJsonText(200, "{}"); }));
		int status = 0;
		deferred.deliverTo([&](Response& response) { status = response.status(); });
		CPPUNIT_ASSERT_EQUAL(200, status);
	}

	void onlyTheFirstCompletionCounts()
	{
		DeferredResponse deferred;
		int delivered = 0;
		int status = 0;
		deferred.deliverTo([&](Response& response) { ++delivered; status = response.status(); });
		CPPUNIT_ASSERT(deferred.fail(HttpError::unavailable("no answer in time")));
		bool built = false;
		CPPUNIT_ASSERT(!deferred.complete([&](Response& response) { built = true; response.sendJsonText(201, "{}"); }));
		CPPUNIT_ASSERT(!deferred.fail(HttpError::notFound()));
		CPPUNIT_ASSERT(!built);
		CPPUNIT_ASSERT_EQUAL(1, delivered);
		CPPUNIT_ASSERT_EQUAL(503, status);
	}

	void failAnswersTheJsonError()
	{
		DeferredResponse deferred;
		deferred.fail(HttpError::validation("text", "text must not be empty").withHeader("X-Why", "empty"));
		Response* answer = nullptr;
		deferred.deliverTo([&](Response& response) { answer = &response; });
		CPPUNIT_ASSERT(answer);
		CPPUNIT_ASSERT_EQUAL(400, answer->status());
		CPPUNIT_ASSERT_EQUAL(std::string("empty"), answer->http().get("X-Why"));
		CPPUNIT_ASSERT(answer->http().getContentType().find("application/json") == 0);
		CPPUNIT_ASSERT_EQUAL(std::string(R"({"error":{"code":"validation_failed","field":"text","message":"text must not be empty"}})"),
			answer->body());
	}

	void thrownHttpErrorBecomesTheAnswer()
	{
		DeferredResponse deferred;
		CPPUNIT_ASSERT(deferred.complete([](Response& response)
		{
			response.http().set("X-Half", "done");
			throw HttpError::conflict("taken", "name");
		}));
		Response* answer = nullptr;
		deferred.deliverTo([&](Response& response) { answer = &response; });
		CPPUNIT_ASSERT_EQUAL(409, answer->status());
		CPPUNIT_ASSERT(!answer->http().has("X-Half"));
		CPPUNIT_ASSERT(answer->body().find("\"field\":\"name\"") != std::string::npos);
	}

	void nothingSentIsNoContent()
	{
		DeferredResponse deferred;
		deferred.complete([](Response&) {});
		int status = 0;
		deferred.deliverTo([&](Response& response) { status = response.status(); });
		CPPUNIT_ASSERT_EQUAL(204, status);
	}

	void racingCompletionsDeliverOnce()
	{
		for (int round = 0; round < 200; ++round)
		{
			auto deferred = std::make_shared<DeferredResponse>();
			std::atomic<int> delivered{0};
			std::atomic<int> won{0};
			std::vector<std::thread> threads;
			for (int i = 0; i < 3; ++i)
			{
				threads.emplace_back([&, i]
				{
					if (i == 0 ? deferred->fail(HttpError::unavailable()) : deferred->complete([](Response& r) { r.sendJsonText(201, "{}"); }))
						++won;
				});
			}
			deferred->deliverTo([&](Response&) { ++delivered; });
			for (auto& thread: threads) thread.join();
			CPPUNIT_ASSERT_EQUAL(1, won.load());
			CPPUNIT_ASSERT_EQUAL(1, delivered.load());
		}
	}

	void deferOnceBeforeSending()
	{
		Response response;
		std::shared_ptr<DeferredResponse> deferred = response.defer();
		CPPUNIT_ASSERT(deferred);
		CPPUNIT_ASSERT(response.deferred() == deferred);
		CPPUNIT_ASSERT_THROW(response.defer(), Poco::IllegalStateException);

		Response sent;
		sent.sendNoContent();
		CPPUNIT_ASSERT_THROW(sent.defer(), Poco::IllegalStateException);
		CPPUNIT_ASSERT(!sent.deferred());
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(DeferredResponseTest);
