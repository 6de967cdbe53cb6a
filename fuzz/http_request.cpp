// Fuzzes the core's HTTP/1.1 request framing (core/server/net/HttpParser.cpp):
// the bytes a client sends on the HTTP port before a worker sees a request.
// The head must be found at the same place whether the bytes come at once or
// in two parts (the scan resumes), within its bounds; a complete head is
// parsed and its body length bounded, refusals being HttpError 4xx only.
#include "HttpParser.h"
#include "palaver/HttpError.h"
#include <cstdint>
#include <cstdlib>
#include <string>

using Palaver::HttpError;
using Palaver::Server::HttpParser;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	if (size < 1) return 0;
	HttpParser::Limits limits;
	limits.maxHeadSize = 4096;
	limits.maxFields = 20;
	static const HttpParser* parser = new HttpParser(limits);
	// The first byte splits the input in two arrivals.
	const std::size_t split = data[0] % size;
	const std::string buffer(reinterpret_cast<const char*>(data) + 1, size - 1);

	HttpParser::Scan whole;
	std::size_t headSize = 0;
	const HttpParser::Head once = parser->scan(buffer, whole, headSize);

	HttpParser::Scan resumed;
	std::size_t resumedSize = 0;
	HttpParser::Head twice = parser->scan(buffer.substr(0, split), resumed, resumedSize);
	if (twice == HttpParser::Head::Incomplete) twice = parser->scan(buffer, resumed, resumedSize);
	// A refusal of the first part may come before the whole says so; never a different head.
	if (twice == HttpParser::Head::Complete && (once != HttpParser::Head::Complete || resumedSize != headSize)) std::abort();

	if (once != HttpParser::Head::Complete) return 0;
	if (headSize == 0 || headSize > buffer.size() || headSize > limits.maxHeadSize) std::abort();
	Poco::Net::HTTPRequest request;
	try
	{
		HttpParser::parse(buffer.data(), headSize, request);
		HttpParser::bodyLength(request, 65536);
		HttpParser::expectsContinue(request);
	}
	catch (HttpError& e)
	{
		if (e.status() < 400 || e.status() > 499) std::abort();
	}
	return 0;
}
