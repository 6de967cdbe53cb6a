// BodyStream: the parts of a streamed body as they go on the wire (HTTP/1.1
// chunks, or as they are for HTTP/1.0), and MessageArrayStream's parts put
// together: the bytes of Message::arrayJsonText().
#include "BodyStream.h"
#include "palaver/MessageArrayStream.h"
#include <cppunit/extensions/HelperMacros.h>
#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

using Palaver::Message;
using Palaver::MessageArrayStream;
using Palaver::Server::BodyStream;

class BodyStreamTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(BodyStreamTest);
	CPPUNIT_TEST(testChunks);
	CPPUNIT_TEST(testUnchunked);
	CPPUNIT_TEST(testSourceThrows);
	CPPUNIT_TEST(testMessageArrayInParts);
	CPPUNIT_TEST_SUITE_END();

public:
	void testChunks()
	{
		std::vector<std::string> parts{"[", "", std::string(300, 'x'), "]"};
		std::size_t next = 0;
		BodyStream stream;
		stream.source = [&](std::string& chunk)
		{
			chunk += parts[next++];
			return next < parts.size();
		};
		bool more = false;
		CPPUNIT_ASSERT_EQUAL(std::string("1\r\n[\r\n"), stream.produce(more));
		CPPUNIT_ASSERT(more);
		// An empty part writes nothing: a zero-size chunk would end the body.
		CPPUNIT_ASSERT_EQUAL(std::string(), stream.produce(more));
		CPPUNIT_ASSERT(more);
		CPPUNIT_ASSERT_EQUAL("12c\r\n" + std::string(300, 'x') + "\r\n", stream.produce(more));
		CPPUNIT_ASSERT_EQUAL(std::string("1\r\n]\r\n0\r\n\r\n"), stream.produce(more));
		CPPUNIT_ASSERT(!more);
	}

	void testUnchunked()
	{
		BodyStream stream;
		stream.chunked = false;
		stream.source = [](std::string& chunk)
		{
			chunk += "all";
			return false;
		};
		bool more = true;
		CPPUNIT_ASSERT_EQUAL(std::string("all"), stream.produce(more));
		CPPUNIT_ASSERT(!more);
	}

	void testSourceThrows()
	{
		BodyStream stream;
		stream.source = [](std::string&) -> bool { throw std::runtime_error("storage gone"); };
		bool more = false;
		CPPUNIT_ASSERT_THROW(stream.produce(more), std::runtime_error);
	}

	void testMessageArrayInParts()
	{
		std::vector<Message> all;
		for (int i = 1; i <= 7; ++i)
		{
			Message message;
			message.id = i * 10;
			message.fromUserId = 1;
			message.toUserId = 2;
			message.fromUserName = "ana";
			message.text = "m" + std::to_string(i);
			all.push_back(message);
		}
		for (std::size_t pageSize: {1, 3, 7, 8})
		{
			std::size_t reads = 0;
			MessageArrayStream stream([&](Poco::Int64 afterId, std::size_t limit)
			{
				++reads;
				std::vector<Message> page;
				for (const Message& message: all)
					if (message.id > afterId && page.size() < limit) page.push_back(message);
				return page;
			}, pageSize);
			CPPUNIT_ASSERT(!stream.empty());
			std::string body;
			std::size_t parts = 0;
			for (bool more = true; more && parts < 20; ++parts)
			{
				std::string part;
				more = stream.next(part);
				body += part;
			}
			CPPUNIT_ASSERT_EQUAL(Message::arrayJsonText(all), body);
			CPPUNIT_ASSERT_EQUAL(all.size() / pageSize + 1, parts);
			CPPUNIT_ASSERT_EQUAL(parts, reads);
		}
		MessageArrayStream none([](Poco::Int64, std::size_t) { return std::vector<Message>(); }, 5);
		CPPUNIT_ASSERT(none.empty());
		std::string body;
		CPPUNIT_ASSERT(!none.next(body));
		CPPUNIT_ASSERT_EQUAL(std::string("[]"), body);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(BodyStreamTest);
