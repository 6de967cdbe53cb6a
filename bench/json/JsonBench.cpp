// Client JSON parsers side by side (docs/PERFORMANCE.md, "Client JSON"):
// the frames and bodies clients send, each parsed by every candidate in turn,
// several rounds; prints the median time per parse of each candidate. (The
// ws plugin's former hand-made ClientJson was measured here until it was
// replaced: commit 472cceb.)
//   build/bench/json/palaver-json-bench [rounds] [parses per round]
#include "palaver/JsonParser.h"
#include "palaver/Utf8.h"
#include <Poco/JSON/Parser.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
#include <simdjson.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

namespace {

using Palaver::JsonValue;

struct Input
{
	const char* name;
	std::string text;
};

std::vector<Input> inputs()
{
	std::string longText;
	while (longText.size() < 1000) longText += "Caf\xc3\xa9 con leche, \\\"por favor\\\" \xf0\x9f\x98\x80\\n";
	return {
		{"ws chatmsg", R"({"type":"chatmsg","toUserId":1,"text":"hola","clientMsgId":"a1"})"},
		{"ws typing", R"({"type":"typing","toUserId":"17"})"},
		{"POST /register", R"({"username":"alice_1234","password":"correct horse battery staple","email":"alice@example.org"})"},
		{"seed post", R"({"message":{"text":"Hello there, how are you doing today?","toUserId":"42"}})"},
		{"1 KiB text", "{\"type\":\"chatmsg\",\"toUserId\":12345,\"text\":\"" + longText + "\",\"clientMsgId\":\"c-000001\"}"},
	};
}

// simdjson's DOM turned into the same JsonValue with the same checks
// (depth by the parser, repeated keys, integers in Int64), to compare like
// with like.
bool fromSimdjson(simdjson::dom::element element, JsonValue& out)
{
	switch (element.type())
	{
	case simdjson::dom::element_type::OBJECT:
	{
		out = JsonValue::object();
		for (simdjson::dom::key_value_pair field: simdjson::dom::object(element))
		{
			std::string key(field.key);
			if (out.find(key)) return false;
			if (!fromSimdjson(field.value, out.add(std::move(key), JsonValue()))) return false;
		}
		return true;
	}
	case simdjson::dom::element_type::ARRAY:
		out = JsonValue::array();
		for (simdjson::dom::element item: simdjson::dom::array(element))
		{
			if (!fromSimdjson(item, out.append(JsonValue()))) return false;
		}
		return true;
	case simdjson::dom::element_type::INT64: out = JsonValue(Poco::Int64(int64_t(element))); return true;
	case simdjson::dom::element_type::UINT64: return false;
	case simdjson::dom::element_type::DOUBLE: out = JsonValue(double(element)); return true;
	case simdjson::dom::element_type::STRING:
	{
		std::string value{std::string_view(element)};
		if (!Palaver::Utf8::isValid(value)) return false;
		out = JsonValue(std::move(value));
		return true;
	}
	case simdjson::dom::element_type::BOOL: out = JsonValue(bool(element)); return true;
	case simdjson::dom::element_type::NULL_VALUE: out = JsonValue(); return true;
	}
	return false;
}

struct Candidate
{
	const char* name;
	std::function<std::size_t(const std::string&)> parse;  // returns something the optimiser must keep
};

} // namespace

int main(int argc, char** argv)
{
	const int rounds = argc > 1 ? std::atoi(argv[1]) : 7;
	const int parses = argc > 2 ? std::atoi(argv[2]) : 100000;

	const Palaver::JsonParser palaverParser(Palaver::JsonParser::Limits{1024 * 1024, 16, 65536});
	simdjson::dom::parser simdParser;
	if (simdParser.allocate(64 * 1024, 16) != simdjson::SUCCESS) return 1;
	const std::vector<Candidate> candidates = {
		{"Poco::JSON::Parser", [](const std::string& text)
			{
				Poco::JSON::Parser parser;
				parser.setDepth(16);
				return parser.parse(text).extract<Poco::JSON::Object::Ptr>()->size();
			}},
		{"JsonParser (RapidJSON SAX)", [&palaverParser](const std::string& text)
			{
				return palaverParser.parseObject(text).members().size();
			}},
		{"simdjson DOM -> JsonValue", [&simdParser](const std::string& text)
			{
				simdjson::dom::element root;
				if (simdParser.parse(text).get(root) != simdjson::SUCCESS) std::abort();
				JsonValue value;
				if (!fromSimdjson(root, value)) std::abort();
				return value.members().size();
			}},
		{"RapidJSON SAX alone", [](const std::string& text)
			{
				rapidjson::MemoryStream stream(text.data(), text.size());
				rapidjson::Reader reader;
				rapidjson::BaseReaderHandler<> handler;
				return static_cast<std::size_t>(reader.Parse<rapidjson::kParseIterativeFlag>(stream, handler).IsError());
			}},
		{"simdjson DOM alone", [&simdParser](const std::string& text)
			{
				simdjson::dom::element root;
				if (simdParser.parse(text).get(root) != simdjson::SUCCESS) std::abort();
				return static_cast<std::size_t>(root.type() == simdjson::dom::element_type::OBJECT);
			}},
	};

	const std::vector<Input> texts = inputs();
	// times[input][candidate][round], ns per parse
	std::vector<std::vector<std::vector<double>>> times(texts.size(),
		std::vector<std::vector<double>>(candidates.size()));
	std::size_t sink = 0;
	for (int round = 0; round < rounds; ++round)
	{
		for (std::size_t i = 0; i < texts.size(); ++i)
		{
			for (std::size_t c = 0; c < candidates.size(); ++c)
			{
				const auto start = std::chrono::steady_clock::now();
				for (int n = 0; n < parses; ++n) sink += candidates[c].parse(texts[i].text);
				const std::chrono::duration<double, std::nano> spent = std::chrono::steady_clock::now() - start;
				times[i][c].push_back(spent.count() / parses);
			}
		}
	}
	std::printf("median ns per parse of %d rounds x %d parses (sink %zu)\n", rounds, parses, sink);
	std::printf("%-16s %6s", "input", "bytes");
	for (const Candidate& candidate: candidates) std::printf(" | %26s", candidate.name);
	std::printf("\n");
	for (std::size_t i = 0; i < texts.size(); ++i)
	{
		std::printf("%-16s %6zu", texts[i].name, texts[i].text.size());
		for (std::size_t c = 0; c < candidates.size(); ++c)
		{
			std::vector<double>& runs = times[i][c];
			std::sort(runs.begin(), runs.end());
			std::printf(" | %26.0f", runs[runs.size() / 2]);
		}
		std::printf("\n");
	}
	return 0;
}
