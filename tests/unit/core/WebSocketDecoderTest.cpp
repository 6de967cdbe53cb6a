// Unit tests of the RFC 6455 frame codec (core/server/net/WebSocketDecoder.cpp).
#include "WebSocketDecoder.h"
#include <cppunit/extensions/HelperMacros.h>
#include <string>
#include <vector>

using Palaver::Server::FrameDecoder;
using FrameEncoder = Palaver::WebSocketFrame;
using Palaver::Server::FrameEvent;
using Palaver::Server::Opcode;
using Palaver::Server::CloseCode;

namespace {

const unsigned char MASK[4] = {0x37, 0xfa, 0x21, 0x3d};

std::string masked(Opcode opcode, const std::string& payload, bool fin = true)
{
	return FrameEncoder::encode(opcode, payload, fin, MASK);
}

struct Collector
{
	std::vector<FrameEvent> events;
	bool operator()(FrameEvent& event)
	{
		events.push_back(event);
		return true;
	}
};

/// Feeds data in slices of step bytes the way a connection does: keeps the
/// unconsumed tail and appends the next bytes to it.
std::vector<FrameEvent> decodeInSteps(FrameDecoder& decoder, const std::string& data, std::size_t step)
{
	Collector collector;
	std::string pending;
	for (std::size_t pos = 0; pos < data.size(); pos += step)
	{
		pending.append(data, pos, step);
		const std::size_t used = decoder.decode(pending.data(), pending.size(), std::ref(collector));
		if (decoder.failed()) break;
		pending.erase(0, used);
	}
	return collector.events;
}

std::vector<FrameEvent> decodeAll(const std::string& data, std::size_t maxMessage = 65536)
{
	FrameDecoder decoder(maxMessage);
	return decodeInSteps(decoder, data, data.size() ? data.size() : 1);
}

} // namespace

class FrameTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(FrameTest);
	CPPUNIT_TEST(testMaskedTextRoundTrip);
	CPPUNIT_TEST(testByteByByte);
	CPPUNIT_TEST(testFragmentedWithInterleavedControl);
	CPPUNIT_TEST(testFragmentedByteByByte);
	CPPUNIT_TEST(testSeveralFramesInOneBuffer);
	CPPUNIT_TEST(testUnmaskedIsProtocolError);
	CPPUNIT_TEST(testReservedBits);
	CPPUNIT_TEST(testUnknownOpcodes);
	CPPUNIT_TEST(testControlFrameTooLong);
	CPPUNIT_TEST(testFragmentedControlFrame);
	CPPUNIT_TEST(testStrayContinuation);
	CPPUNIT_TEST(testNewMessageInsideFragmented);
	CPPUNIT_TEST(testTooBigRefusedFromHeader);
	CPPUNIT_TEST(testTooBigAcrossFragments);
	CPPUNIT_TEST(testBinaryRefused);
	CPPUNIT_TEST(testBinaryAllowedWhenConfigured);
	CPPUNIT_TEST(testInvalidUtf8);
	CPPUNIT_TEST(testUtf8SplitAcrossFragments);
	CPPUNIT_TEST(testClosePayloads);
	CPPUNIT_TEST(testNothingAfterError);
	CPPUNIT_TEST(testPauseKeepsTail);
	CPPUNIT_TEST(testEncoderLengths);
	CPPUNIT_TEST(testEncodeClose);
	CPPUNIT_TEST_SUITE_END();

public:
	void testMaskedTextRoundTrip()
	{
		auto events = decodeAll(masked(Opcode::Text, "hola"));
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), events.size());
		CPPUNIT_ASSERT(events[0].type == FrameEvent::Type::Text);
		CPPUNIT_ASSERT_EQUAL(std::string("hola"), events[0].payload);
	}

	void testByteByByte()
	{
		const std::string text(70000 - 10, 'x');  // 64-bit length form
		for (const std::string& payload: {std::string("a"), std::string(125, 'b'), std::string(126, 'c'), std::string(65535, 'd'), text})
		{
			FrameDecoder decoder(70000);
			auto events = decodeInSteps(decoder, masked(Opcode::Text, payload), 1);
			CPPUNIT_ASSERT_EQUAL(std::size_t(1), events.size());
			CPPUNIT_ASSERT(events[0].type == FrameEvent::Type::Text);
			CPPUNIT_ASSERT(events[0].payload == payload);
		}
	}

	void testFragmentedWithInterleavedControl()
	{
		std::string data = masked(Opcode::Text, "hel", false);
		data += masked(Opcode::Ping, "p1");
		data += masked(Opcode::Continuation, "lo ", false);
		data += masked(Opcode::Pong, "");
		data += masked(Opcode::Continuation, "world", true);
		auto events = decodeAll(data);
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), events.size());
		CPPUNIT_ASSERT(events[0].type == FrameEvent::Type::Ping);
		CPPUNIT_ASSERT_EQUAL(std::string("p1"), events[0].payload);
		CPPUNIT_ASSERT(events[1].type == FrameEvent::Type::Pong);
		CPPUNIT_ASSERT(events[2].type == FrameEvent::Type::Text);
		CPPUNIT_ASSERT_EQUAL(std::string("hello world"), events[2].payload);
	}

	void testFragmentedByteByByte()
	{
		std::string data = masked(Opcode::Text, "a", false);
		data += masked(Opcode::Continuation, "", false);
		data += masked(Opcode::Ping, "");
		data += masked(Opcode::Continuation, std::string(300, 'b'), true);
		data += masked(Opcode::Text, "next");
		FrameDecoder decoder;
		auto events = decodeInSteps(decoder, data, 1);
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), events.size());
		CPPUNIT_ASSERT(events[0].type == FrameEvent::Type::Ping);
		CPPUNIT_ASSERT_EQUAL("a" + std::string(300, 'b'), events[1].payload);
		CPPUNIT_ASSERT_EQUAL(std::string("next"), events[2].payload);
		CPPUNIT_ASSERT(!decoder.inMessage());
	}

	void testSeveralFramesInOneBuffer()
	{
		std::string data;
		for (int i = 0; i < 10; ++i) data += masked(Opcode::Text, std::to_string(i));
		data += masked(Opcode::Text, "partial").substr(0, 5);
		FrameDecoder decoder;
		Collector collector;
		const std::size_t used = decoder.decode(data.data(), data.size(), std::ref(collector));
		CPPUNIT_ASSERT_EQUAL(std::size_t(10), collector.events.size());
		CPPUNIT_ASSERT_EQUAL(data.size() - 5, used);
		CPPUNIT_ASSERT_EQUAL(std::string("9"), collector.events[9].payload);
	}

	void assertError(const std::string& data, std::uint16_t code, std::size_t eventsBefore = 0, std::size_t maxMessage = 65536)
	{
		// Whole and byte by byte: the same verdict.
		for (std::size_t step: {data.size(), std::size_t(1)})
		{
			FrameDecoder decoder(maxMessage);
			auto events = decodeInSteps(decoder, data, step);
			CPPUNIT_ASSERT_EQUAL(eventsBefore + 1, events.size());
			CPPUNIT_ASSERT(events.back().type == FrameEvent::Type::Error);
			CPPUNIT_ASSERT_EQUAL(code, events.back().code);
			CPPUNIT_ASSERT(decoder.failed());
		}
	}

	void testUnmaskedIsProtocolError()
	{
		assertError(FrameEncoder::encode(Opcode::Text, "hola"), CloseCode::ProtocolError);
		assertError(FrameEncoder::encode(Opcode::Ping, ""), CloseCode::ProtocolError);
	}

	void testReservedBits()
	{
		for (unsigned char rsv: {0x40, 0x20, 0x10})
		{
			std::string frame = masked(Opcode::Text, "x");
			frame[0] = static_cast<char>(frame[0] | rsv);
			assertError(frame, CloseCode::ProtocolError);
		}
	}

	void testUnknownOpcodes()
	{
		for (int opcode: {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF})
		{
			std::string frame = masked(Opcode::Text, "x");
			frame[0] = static_cast<char>(0x80 | opcode);
			assertError(frame, CloseCode::ProtocolError);
		}
	}

	void testControlFrameTooLong()
	{
		assertError(masked(Opcode::Ping, std::string(126, 'p')), CloseCode::ProtocolError);
		auto events = decodeAll(masked(Opcode::Ping, std::string(125, 'p')));
		CPPUNIT_ASSERT(events.size() == 1 && events[0].type == FrameEvent::Type::Ping);
	}

	void testFragmentedControlFrame()
	{
		assertError(masked(Opcode::Ping, "x", false), CloseCode::ProtocolError);
		assertError(masked(Opcode::Close, "", false), CloseCode::ProtocolError);
	}

	void testStrayContinuation()
	{
		assertError(masked(Opcode::Continuation, "x"), CloseCode::ProtocolError);
		assertError(masked(Opcode::Text, "x") + masked(Opcode::Continuation, "y"), CloseCode::ProtocolError, 1);
	}

	void testNewMessageInsideFragmented()
	{
		assertError(masked(Opcode::Text, "a", false) + masked(Opcode::Text, "b"), CloseCode::ProtocolError);
	}

	void testTooBigRefusedFromHeader()
	{
		// Refused from the header alone: the payload never needs to arrive.
		const std::string frame = masked(Opcode::Text, std::string(1001, 'x'));
		assertError(frame.substr(0, 8), CloseCode::TooBig, 0, 1000);
		auto events = decodeAll(masked(Opcode::Text, std::string(1000, 'x')), 1000);
		CPPUNIT_ASSERT(events.size() == 1 && events[0].type == FrameEvent::Type::Text);
	}

	void testTooBigAcrossFragments()
	{
		const std::string data = masked(Opcode::Text, std::string(600, 'x'), false) + masked(Opcode::Continuation, std::string(401, 'y'));
		assertError(data, CloseCode::TooBig, 0, 1000);
	}

	void testBinaryRefused()
	{
		assertError(masked(Opcode::Binary, "\x01\x02"), CloseCode::Unsupported);
	}

	void testBinaryAllowedWhenConfigured()
	{
		FrameDecoder decoder(65536, true, false);
		auto events = decodeInSteps(decoder, masked(Opcode::Binary, std::string("\xff\x00", 2)), 1);
		CPPUNIT_ASSERT(events.size() == 1 && events[0].type == FrameEvent::Type::Binary);
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), events[0].payload.size());
	}

	void testInvalidUtf8()
	{
		assertError(masked(Opcode::Text, "\xc3\x28"), CloseCode::InvalidPayload);
		assertError(masked(Opcode::Text, "\xed\xa0\x80"), CloseCode::InvalidPayload);  // surrogate
		assertError(masked(Opcode::Text, "\xc0\xaf"), CloseCode::InvalidPayload);      // overlong
	}

	void testUtf8SplitAcrossFragments()
	{
		// "ñ" split between two fragments is fine: the message is checked whole.
		const std::string data = masked(Opcode::Text, "\xc3", false) + masked(Opcode::Continuation, "\xb1");
		auto events = decodeAll(data);
		CPPUNIT_ASSERT(events.size() == 1 && events[0].type == FrameEvent::Type::Text);
		CPPUNIT_ASSERT_EQUAL(std::string("\xc3\xb1"), events[0].payload);
	}

	void testClosePayloads()
	{
		auto events = decodeAll(FrameEncoder::encodeClose(1000, "bye", MASK));
		CPPUNIT_ASSERT(events.size() == 1 && events[0].type == FrameEvent::Type::Close);
		CPPUNIT_ASSERT_EQUAL(std::uint16_t(1000), events[0].code);
		CPPUNIT_ASSERT_EQUAL(std::string("bye"), events[0].payload);

		events = decodeAll(masked(Opcode::Close, ""));
		CPPUNIT_ASSERT(events.size() == 1 && events[0].type == FrameEvent::Type::Close);
		CPPUNIT_ASSERT_EQUAL(CloseCode::NoStatus, events[0].code);

		events = decodeAll(FrameEncoder::encodeClose(4001, "", MASK));
		CPPUNIT_ASSERT_EQUAL(std::uint16_t(4001), events[0].code);

		assertError(masked(Opcode::Close, "x"), CloseCode::ProtocolError);
		for (std::uint16_t code: {0, 999, 1004, 1005, 1006, 1015, 2000, 5000})
			assertError(FrameEncoder::encodeClose(code == 0 ? 1 : code, "", MASK), CloseCode::ProtocolError);
		assertError(FrameEncoder::encodeClose(1000, "\xff", MASK), CloseCode::InvalidPayload);
	}

	void testNothingAfterError()
	{
		FrameDecoder decoder;
		Collector collector;
		const std::string data = FrameEncoder::encode(Opcode::Text, "x") + masked(Opcode::Text, "y");
		decoder.decode(data.data(), data.size(), std::ref(collector));
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), collector.events.size());
		const std::string more = masked(Opcode::Text, "z");
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), decoder.decode(more.data(), more.size(), std::ref(collector)));
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), collector.events.size());
	}

	void testPauseKeepsTail()
	{
		const std::string first = masked(Opcode::Text, "one");
		const std::string data = first + masked(Opcode::Text, "two");
		FrameDecoder decoder;
		int calls = 0;
		const std::size_t used = decoder.decode(data.data(), data.size(), [&](FrameEvent&) { ++calls; return false; });
		CPPUNIT_ASSERT_EQUAL(1, calls);
		CPPUNIT_ASSERT_EQUAL(first.size(), used);
	}

	void testEncoderLengths()
	{
		struct Case { std::size_t size; std::size_t header; };
		for (Case c: {Case{0, 2}, Case{125, 2}, Case{126, 4}, Case{65535, 4}, Case{65536, 10}, Case{70000, 10}})
		{
			const std::string payload(c.size, 'z');
			const std::string frame = FrameEncoder::encode(Opcode::Text, payload);
			CPPUNIT_ASSERT_EQUAL(c.header + c.size, frame.size());
			CPPUNIT_ASSERT_EQUAL(c.header, FrameEncoder::headerSize(c.size));
			const auto* b = reinterpret_cast<const unsigned char*>(frame.data());
			CPPUNIT_ASSERT_EQUAL(0x81u, static_cast<unsigned>(b[0]));
			CPPUNIT_ASSERT_EQUAL(0u, static_cast<unsigned>(b[1] & 0x80));  // server frames unmasked
			if (c.header == 2) CPPUNIT_ASSERT_EQUAL(static_cast<unsigned>(c.size), static_cast<unsigned>(b[1]));
			if (c.header == 4)
			{
				CPPUNIT_ASSERT_EQUAL(126u, static_cast<unsigned>(b[1]));
				CPPUNIT_ASSERT_EQUAL(c.size, static_cast<std::size_t>((b[2] << 8) | b[3]));
			}
			if (c.header == 10)
			{
				CPPUNIT_ASSERT_EQUAL(127u, static_cast<unsigned>(b[1]));
				std::uint64_t length = 0;
				for (int i = 2; i < 10; ++i) length = (length << 8) | b[i];
				CPPUNIT_ASSERT_EQUAL(static_cast<std::uint64_t>(c.size), length);
			}
			// And the decoder (without the mask requirement) reads it back.
			FrameDecoder decoder(100000, false);
			auto events = decodeInSteps(decoder, frame, 4096);
			CPPUNIT_ASSERT(events.size() == 1 && events[0].payload == payload);
		}
	}

	void testEncodeClose()
	{
		const std::string frame = FrameEncoder::encodeClose(1009, "too big");
		CPPUNIT_ASSERT_EQUAL(std::string("\x88\x09\x03\xf1too big", 11), frame);
		CPPUNIT_ASSERT_EQUAL(std::string("\x88\x00", 2), FrameEncoder::encodeClose(0));
		CPPUNIT_ASSERT(FrameEncoder::encodeClose(1000, std::string(300, 'r')).size() <= 2 + 125);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(FrameTest);
