//
// SearchScenario.cpp
//
// The search scenario: GET /search, closed loop, over a database that
// bench/run.sh filled directly with messages between users 1..N whose texts
// are words of the vocabulary below (fill_search there builds the same one).
//

#include "Scenarios.h"
#include <functional>
#include <map>
#include <random>
#include <stdexcept>

namespace Palaver {
namespace Bench {

namespace {

// bench/run.sh's fill_search: word k (0..7999) is syllable k/400, then
// (k/20)%20, then k%20; a message's six words are drawn with
// k = r1 % (1 + r2 % 8000), so low k are frequent and high k rare.
const char* const SYLLABLES[] = {"ca", "me", "lo", "su", "ti", "ra", "ne", "po", "la", "vi", "de", "ma", "to", "se",
	"ri", "ba", "go", "fe", "nu", "ci\xC3\xB3n"};
const std::size_t WORDS = 8000;

std::string word(std::size_t k)
{
	return std::string(SYLLABLES[k / 400]) + SYLLABLES[(k / 20) % 20] + SYLLABLES[k % 20];
}

std::string percentEncoded(const std::string& text)
{
	static const char* const hex = "0123456789ABCDEF";
	std::string out;
	for (const char c: text)
	{
		const auto byte = static_cast<unsigned char>(c);
		if ((byte >= 'a' && byte <= 'z') || (byte >= '0' && byte <= '9')) out += c;
		else if (byte == ' ') out += '+';
		else { out += '%'; out += hex[byte >> 4]; out += hex[byte & 15]; }
	}
	return out;
}

struct Kind
{
	explicit Kind(const char* kindName): name(kindName) {}

	const char* name;
	Samples latency;
	std::size_t answers = 0;
	std::size_t hits = 0;
};

} // namespace

bool Bench::runSearch(Json& result, std::string& summary)
{
	// The filled messages name users 1..N: the users registered here (in
	// any order) must be exactly those, as on a fresh database.
	_users = registerUsers(_options.users, "q");
	for (const User& user: _users)
		if (user.id < 1 || user.id > static_cast<std::int64_t>(_users.size()))
			throw std::runtime_error("search: a user has id " + std::to_string(user.id) + ", not one of 1.."
				+ std::to_string(_users.size()) + " (run it on a fresh database filled by bench/run.sh)");
	openHttp(_options.httpConnections);

	// Four kinds of query in turn, each by a random user: a frequent word,
	// a rare one, a 3-letter prefix (many words), and a frequent word with
	// any other.
	std::vector<Kind> kinds;
	for (const char* name: {"frequent", "rare", "prefix", "two_words"}) kinds.emplace_back(name);
	std::mt19937 random(7);
	auto pick = [&random](std::size_t from, std::size_t to) { return std::uniform_int_distribution<std::size_t>(from, to - 1)(random); };
	auto query = [&](std::size_t kind)
	{
		switch (kind)
		{
		case 0: return word(pick(0, 20));
		case 1: return word(pick(WORDS / 2, WORDS));
		case 2: return std::string(SYLLABLES[pick(0, 19)]) + SYLLABLES[pick(0, 20)][0];
		default: return word(pick(0, 20)) + " " + word(pick(0, WORDS));
		}
	};

	std::size_t sent = 0, answers = 0, errors = 0;
	std::map<std::string, std::size_t> errorKinds;
	Samples latency;
	bool running = true;
	std::function<void(HttpConn&)> ask;
	ask = [&](HttpConn& conn)
	{
		const std::size_t kind = sent++ % kinds.size();
		const User& user = _users[pick(0, _users.size())];
		const std::string path = "/search?q=" + percentEncoded(query(kind)) + "&limit=20";
		const std::int64_t t0 = nowUs();
		conn.request(HttpConn::build("GET", path, user.token), [&, t0, kind, c = &conn](const HttpResponse& r)
		{
			if (!running) return;
			const std::int64_t us = nowUs() - t0;
			if (r.status != 200 || r.body.empty() || r.body[0] != '[')
			{
				++errors;
				++errorKinds[r.status ? "HTTP " + std::to_string(r.status) + " " + r.body.substr(0, 200) : "connection lost"];
			}
			else
			{
				++answers;
				latency.add(us);
				Kind& k = kinds[kind];
				k.latency.add(us);
				++k.answers;
				for (auto at = r.body.find("\"fromUserId\""); at != std::string::npos; at = r.body.find("\"fromUserId\"", at + 1)) ++k.hits;
			}
			ask(*c);
		});
	};
	const double serverCpu0 = serverCpuSeconds();
	const std::int64_t start = nowUs();
	for (auto& node: _nodes)
		for (auto& conn: node.pool) ask(*conn);
	pollFor(_options.duration);
	running = false;
	const double seconds = static_cast<double>(nowUs() - start) / 1e6;
	const double serverCpu = serverCpuSeconds() - serverCpu0;

	Json errorJson;
	for (const auto& e: errorKinds) errorJson.add(e.first, e.second);
	Json perKind;
	std::string kindLine;
	for (Kind& k: kinds)
	{
		Json j;
		j.add("answers", k.answers).add("mean_results", k.answers ? static_cast<double>(k.hits) / static_cast<double>(k.answers) : 0.0)
			.add("latency_ms", k.latency.json());
		perKind.add(k.name, j);
		kindLine += std::string(kindLine.empty() ? "" : ", ") + k.name + " p99 " + fixed(k.latency.percentileMs(99), 2) + " ms ("
			+ fixed(k.answers ? static_cast<double>(k.hits) / static_cast<double>(k.answers) : 0.0, 1) + " results)";
	}
	const double p99 = latency.percentileMs(99);
	const bool fastEnough = p99 <= _options.searchP99Max;
	result.add("users", _users.size()).add("http_connections", httpConnectionCount()).add("seconds", seconds)
		.add("answers", answers).add("errors", errors).add("error_kinds", errorJson)
		.add("requests_per_second", static_cast<double>(answers) / seconds).add("latency_ms", latency.json())
		.add("p99_max_ms", _options.searchP99Max).add("p99_within_max", fastEnough).add("per_kind", perKind)
		.add("server_cpu_ms_per_request", answers ? 1e3 * serverCpu / static_cast<double>(answers) : 0).add("server", serverJson());
	summary = "search: " + fixed(static_cast<double>(answers) / seconds, 0) + " queries/s on " + std::to_string(httpConnectionCount())
		+ " connections, p50 " + fixed(latency.percentileMs(50), 2) + " p99 " + fixed(p99, 2) + " ms (max " + fixed(_options.searchP99Max, 0)
		+ "), server CPU " + fixed(answers ? 1e3 * serverCpu / static_cast<double>(answers) : 0, 2) + " ms/query, " + std::to_string(errors)
		+ " errors; " + kindLine;
	closeAll();
	// Counts only (--check never judges timings): p99_within_max reports the goal.
	return answers > 0 && errors == 0;
}

} } // namespace Palaver::Bench
