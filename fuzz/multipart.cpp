// Fuzzes the streaming multipart/form-data parser of the attachments plugin
// (plugins/attachments/src/MultipartParser.cpp): the upload body as it
// arrives from the network. The first byte chooses where the rest is cut in
// two; parsing it whole and in two pieces must give the same parts and
// bytes (a boundary split across reads is the parser's hardest case).
#include "MultipartParser.h"
#include "palaver/HttpError.h"
#include <cstdint>
#include <cstdlib>
#include <string>

using Palaver::Attachments::MultipartParser;

namespace {

// Every part's name and data, and how the body ended ("" parsed, else the error code).
std::string parse(const std::string& body, std::size_t cut)
{
	std::string seen;
	MultipartParser parser("fuzz-boundary",
		{[&seen](const MultipartParser::PartHead& part) { seen += "|part " + part.name + " " + part.fileName + "|"; },
		 [&seen](const char* data, std::size_t size) { seen.append(data, size); }},
		MultipartParser::Limits());
	try
	{
		parser.feed(body.data(), cut);
		parser.feed(body.data() + cut, body.size() - cut);
		parser.finish();
	}
	catch (Palaver::HttpError& e)
	{
		seen += "|error " + e.code();
	}
	return seen;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	if (size < 1) return 0;
	const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
	const std::size_t cut = body.empty() ? 0 : data[0] % (body.size() + 1);
	// Data before an error may differ in how much was handed out; equal when both succeed.
	const std::string whole = parse(body, body.size());
	const std::string split = parse(body, cut);
	if (whole.find("|error") == std::string::npos && whole != split) std::abort();
	try
	{
		MultipartParser::boundaryOf(body);
	}
	catch (Palaver::HttpError&)
	{
	}
	return 0;
}
