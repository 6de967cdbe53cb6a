//
// Scenarios.cpp
//

#include "Scenarios.h"
#include <sys/resource.h>
#include <unistd.h>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

namespace Palaver {
namespace Bench {

namespace {

const char* const kMarker = "~b.";  /// message texts: ~b.<seq>.<sendUs>.<toUserId>.xxxx

double clientCpuSeconds()
{
	rusage usage{};
	::getrusage(RUSAGE_SELF, &usage);
	return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
		+ static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

std::string fixed(double value, int decimals = 1)
{
	char text[64];
	std::snprintf(text, sizeof(text), "%.*f", decimals, value);
	return text;
}

/// Kernel TCP buffer memory of the whole machine, in KiB (both ends of loopback).
long tcpKernelKiB()
{
	std::ifstream in("/proc/net/sockstat");
	std::string line;
	while (std::getline(in, line))
	{
		if (line.compare(0, 4, "TCP:") != 0) continue;
		const auto at = line.find(" mem ");
		if (at != std::string::npos) return std::strtol(line.c_str() + at + 5, nullptr, 10) * (::sysconf(_SC_PAGESIZE) / 1024);
	}
	return -1;
}

/// Parses "<seq>.<sendUs>.<to>" after the marker; false if malformed.
bool parseMarker(const char* p, const char* end, std::size_t& seq, std::int64_t& sendUs, std::int64_t& to)
{
	char* next = nullptr;
	seq = std::strtoull(p, &next, 10);
	if (next >= end || *next != '.') return false;
	sendUs = std::strtoll(next + 1, &next, 10);
	if (next >= end || *next != '.') return false;
	to = std::strtoll(next + 1, &next, 10);
	return next < end && *next == '.';
}

}

Bench::Bench(const Options& options):
	_options(options),
	_httpTarget(makeTarget(options.host, options.httpPort, 0)),
	_wsTarget(makeTarget(options.host, options.wsPort, static_cast<unsigned>(options.perSource)))
{
	if (_options.prefix.empty()) _options.prefix = "b" + std::to_string(::getpid()) + "_" + std::to_string(nowUs() % 100000) + "_";
}

Bench::~Bench()
{
	closeAll();
}

bool Bench::run(Json& result, std::string& summary)
{
	result.add("scenario", _options.scenario);
	if (_options.scenario == "idle") return runIdle(result, summary);
	if (_options.scenario == "chat-http") return runChat(false, result, summary);
	if (_options.scenario == "chat-ws") return runChat(true, result, summary);
	if (_options.scenario == "fanout") return runFanout(result, summary);
	if (_options.scenario == "history") return runHistory(result, summary);
	throw std::runtime_error("unknown scenario: " + _options.scenario);
}

// --- common -----------------------------------------------------------------

void Bench::pollFor(double seconds)
{
	const std::int64_t end = nowUs() + static_cast<std::int64_t>(seconds * 1e6);
	while (nowUs() < end) _loop.poll(static_cast<int>(std::max<std::int64_t>(1, std::min<std::int64_t>(100, (end - nowUs()) / 1000))));
}

void Bench::openHttp(std::size_t count)
{
	while (_http.size() < count) _http.push_back(std::make_unique<HttpConn>(_loop, _httpTarget));
}

HttpConn& Bench::pickHttp()
{
	// An idle connection if there is one, else the least loaded: requests
	// that wait here are still timed from their scheduled send time.
	HttpConn* best = nullptr;
	for (std::size_t i = 0; i < _http.size(); ++i)
	{
		HttpConn& c = *_http[(_nextHttp + i) % _http.size()];
		if (c.outstanding() == 0)
		{
			_nextHttp = (_nextHttp + i + 1) % _http.size();
			return c;
		}
		if (!best || c.outstanding() < best->outstanding()) best = &c;
	}
	return *best;
}

std::vector<Bench::User> Bench::registerUsers(std::size_t count, const std::string& tag)
{
	std::vector<User> users(count);
	std::size_t done = 0, failed = 0;
	std::string lastFailure;
	openHttp(4);
	for (std::size_t i = 0; i < count; ++i)
	{
		users[i].name = _options.prefix + tag + std::to_string(_userCounter++);
		const std::string body = "username=" + users[i].name + "&password=" + _options.password + "&info=bench";
		User& user = users[i];
		_http[i % 4]->request(HttpConn::build("POST", "/register", "", "application/x-www-form-urlencoded", body),
			[&user, &done, &failed, &lastFailure](const HttpResponse& r)
			{
				++done;
				if (r.status != 201)
				{
					++failed;
					lastFailure = std::to_string(r.status) + " " + r.body;
					return;
				}
				user.id = std::atoll(jsonField(r.body, "id").c_str());
				user.token = jsonField(r.body, "token");
			});
	}
	const std::int64_t deadline = nowUs() + static_cast<std::int64_t>(60e6 + 100e3 * static_cast<double>(count));
	while (done < count && nowUs() < deadline) _loop.poll(100);
	if (done < count || failed > 0)
		throw std::runtime_error("registration: " + std::to_string(count - done + failed) + " of " + std::to_string(count) + " failed; last: " + lastFailure);
	return users;
}

std::size_t Bench::connect(const std::vector<User>& users, std::size_t count)
{
	const std::size_t first = _ws.size();
	const std::size_t closedBefore = _closed;
	const std::size_t readyBefore = _ready;
	const std::int64_t deadline = nowUs() + static_cast<std::int64_t>(30e6 + 2e3 * static_cast<double>(count));
	std::size_t created = 0;
	while (nowUs() < deadline)
	{
		const std::size_t settled = (_ready - readyBefore) + (_closed - closedBefore);
		if (settled >= count) break;
		while (created < count && created - std::min(created, settled) < _options.connectInFlight)
		{
			const User& user = users[created % users.size()];
			auto conn = std::make_unique<WsConn>(_loop, _wsTarget, first + created, user.token, *this);
			conn->userId = user.id;
			_ws.push_back(std::move(conn));
			++created;
		}
		_loop.poll(10);
	}
	return _ready - readyBefore;
}

void Bench::closeAll()
{
	_ws.clear();
	_http.clear();
	_ready = 0;
}

void Bench::onOpen(WsConn&)
{
}

void Bench::onClosed(WsConn& conn, const std::string& why)
{
	++_closed;
	if (conn.ready && _ready > 0) --_ready;
	conn.ready = false;
	_lastClose = why;
}

void Bench::onText(WsConn& conn, const char* data, std::size_t size)
{
	// Types by their JSON value; message texts of the bench never hold quotes.
	const char* end = data + size;
	const char* type = static_cast<const char*>(::memmem(data, size, "\"type\"", 6));
	if (!type) return;
	const char* value = static_cast<const char*>(std::memchr(type + 6, '"', static_cast<std::size_t>(end - type - 6)));
	if (!value) return;
	++value;
	auto is = [value, end](const char* name)
	{
		const std::size_t n = std::strlen(name);
		return static_cast<std::size_t>(end - value) > n && std::memcmp(value, name, n) == 0 && value[n] == '"';
	};
	if (is("chatmsg"))
	{
		if (!_phase) return;
		const char* marker = static_cast<const char*>(::memmem(data, size, kMarker, 3));
		std::size_t seq = 0;
		std::int64_t sendUs = 0, to = 0;
		if (!marker || !parseMarker(marker + 3, end, seq, sendUs, to) || seq >= _phase->flags.size()) return;
		if (to != conn.userId)
		{
			++_phase->echoes;
			return;
		}
		std::uint8_t& flags = _phase->flags[seq];
		if (flags & ChatPhase::Delivered)
		{
			++_phase->duplicates;
			return;
		}
		flags |= ChatPhase::Delivered;
		++_phase->delivered;
		if (flags & ChatPhase::Stored) ++_phase->deliveredOfStored;
		const std::int64_t now = nowUs();
		_phase->lastDelivery = now;
		_phase->delivery.add(now - sendUs);
	}
	else if (is("ack"))
	{
		if (!_phase) return;
		const std::string text(data, size);
		const std::size_t seq = std::strtoull(jsonField(text, "clientMsgId").c_str(), nullptr, 10);
		if (seq >= _phase->total) return;
		if (_phase->markStored(seq))
			_phase->store.add(nowUs() - (_phase->start + static_cast<std::int64_t>(static_cast<double>(seq) * 1e6 / _phase->rate)));
	}
	else if (is("ready"))
	{
		if (!conn.ready) ++_ready;
		conn.ready = true;
	}
	else if (is("usermsg"))
	{
		if (_fanoutName.empty() || conn.index >= _fanoutSeen.size() || _fanoutSeen[conn.index] != 0) return;
		if (jsonField(std::string(data, size), "userName") != _fanoutName) return;
		_fanoutSeen[conn.index] = nowUs();
		++_fanoutCount;
	}
	else if (is("error"))
	{
		++_errors;
		_lastError.assign(data, size);
		if (_phase && !_phase->cutOff)
		{
			++_phase->failed;
			++_phase->failures["ws error " + jsonField(_lastError, "code")];
		}
	}
}

std::map<std::string, double> Bench::fetchMetrics()
{
	std::map<std::string, double> values;
	HttpConn conn(_loop, _httpTarget);
	bool done = false;
	conn.request(HttpConn::build("GET", "/metrics", ""), [&](const HttpResponse& r)
	{
		done = true;
		std::istringstream lines(r.body);
		std::string line;
		while (std::getline(lines, line))
		{
			// Unlabelled samples only: "name value".
			const auto space = line.find(' ');
			if (line.empty() || line[0] == '#' || space == std::string::npos || line.find('{') != std::string::npos) continue;
			values[line.substr(0, space)] = std::strtod(line.c_str() + space + 1, nullptr);
		}
	});
	const std::int64_t deadline = nowUs() + 5000000;
	while (!done && nowUs() < deadline) _loop.poll(10);
	return values;
}

Json Bench::serverJson() const
{
	Json j;
	if (_options.serverPid <= 0) return j;
	j.add("pid", _options.serverPid)
		.add("vmrss_kib", static_cast<std::int64_t>(procStatus(_options.serverPid, "VmRSS")))
		.add("threads", static_cast<std::int64_t>(procStatus(_options.serverPid, "Threads")))
		.add("cpu_seconds", procCpuSeconds(_options.serverPid));
	return j;
}

// --- idle -------------------------------------------------------------------

bool Bench::runIdle(Json& result, std::string& summary)
{
	const std::size_t n = _options.connections;
	const std::size_t userCount = std::max<std::size_t>(1, std::min(_options.users, n));
	_users = registerUsers(userCount, "i");
	_http.clear();   // no keep-alive connection in the figures
	pollFor(0.5);
	const int pid = _options.serverPid;
	const long rssBefore = pid > 0 ? procStatus(pid, "VmRSS") : -1;
	const long threadsBefore = pid > 0 ? procStatus(pid, "Threads") : -1;
	const long tcpBefore = tcpKernelKiB();
	const double connectCpu0 = pid > 0 ? procCpuSeconds(pid) : 0;
	const std::int64_t t0 = nowUs();
	const std::size_t ready = connect(_users, n);
	const double connectSeconds = static_cast<double>(nowUs() - t0) / 1e6;
	const double connectCpu = pid > 0 ? procCpuSeconds(pid) - connectCpu0 : 0;
	pollFor(2);  // presence frames settle
	const long rssAfter = pid > 0 ? procStatus(pid, "VmRSS") : -1;
	const long threads = pid > 0 ? procStatus(pid, "Threads") : -1;
	const long tcpAfter = tcpKernelKiB();
	const double cpu0 = pid > 0 ? procCpuSeconds(pid) : 0;
	const std::int64_t c0 = nowUs();
	pollFor(_options.idleInterval);
	const double cpuSeconds = pid > 0 ? procCpuSeconds(pid) - cpu0 : 0;
	const double interval = static_cast<double>(nowUs() - c0) / 1e6;
	const std::size_t stillOpen = _ready;
	const double perConnKiB = ready > 0 && pid > 0 ? static_cast<double>(rssAfter - rssBefore) / static_cast<double>(ready) : 0;
	result.add("connections", n).add("users", userCount).add("ready", ready).add("open_after_idle", stillOpen)
		.add("connect_seconds", connectSeconds).add("server_cpu_seconds_connecting", connectCpu)
		.add("server_rss_before_kib", static_cast<std::int64_t>(rssBefore))
		.add("server_rss_after_kib", static_cast<std::int64_t>(rssAfter))
		.add("server_rss_per_connection_kib", perConnKiB)
		.add("server_threads_before", static_cast<std::int64_t>(threadsBefore))
		.add("server_threads", static_cast<std::int64_t>(threads))
		.add("server_idle_cpu_percent", interval > 0 ? 100 * cpuSeconds / interval : 0)
		.add("idle_interval_seconds", interval)
		.add("kernel_tcp_mem_kib_delta_both_ends", static_cast<std::int64_t>(tcpAfter - tcpBefore))
		.add("last_close", _lastClose);
	summary = "idle: " + std::to_string(ready) + "/" + std::to_string(n) + " connections (" + std::to_string(userCount) + " users) ready in "
		+ fixed(connectSeconds) + " s (server CPU " + fixed(connectCpu, 2) + " s), "
		+ std::to_string(stillOpen) + " still open after " + fixed(interval) + " s";
	if (pid > 0)
		summary += "; server RSS " + fixed(perConnKiB, 2) + " KiB/connection (" + std::to_string(rssBefore / 1024) + " -> "
			+ std::to_string(rssAfter / 1024) + " MiB), " + std::to_string(threads) + " threads, idle CPU "
			+ fixed(interval > 0 ? 100 * cpuSeconds / interval : 0, 2) + "% of one core";
	const bool ok = ready == n && stillOpen == n;
	closeAll();
	return ok;
}

// --- chat -------------------------------------------------------------------

void Bench::sendChat(std::size_t seq, std::int64_t scheduled)
{
	const std::size_t u = _users.size();
	const User& from = _users[seq % u];
	const User& to = _users[(seq + 1) % u];
	std::string text = std::string(kMarker) + std::to_string(seq) + "." + std::to_string(scheduled) + "." + std::to_string(to.id) + ".";
	if (text.size() < _options.size) text.append(_options.size - text.size(), 'x');
	ChatPhase& phase = *_phase;
	if (phase.overWs)
	{
		const std::string frame = "{\"type\":\"chatmsg\",\"toUserId\":" + std::to_string(to.id) + ",\"text\":\"" + text
			+ "\",\"clientMsgId\":\"" + std::to_string(seq) + "\"}";
		WsConn& conn = *_ws[seq % u];
		if (conn.state() != WsConn::State::Open) ++phase.failures["sender connection closed"], ++phase.failed;
		else conn.sendText(frame);
		return;
	}
	pickHttp().request(
		HttpConn::build("POST", "/post/touser/" + std::to_string(to.id), from.token, "application/x-www-form-urlencoded", "text=" + text),
		[this, seq, scheduled](const HttpResponse& r)
		{
			if (!_phase) return;
			if (r.status == 201)
			{
				if (_phase->markStored(seq)) _phase->store.add(nowUs() - scheduled);
			}
			else
			{
				++_phase->failed;
				++_phase->failures["HTTP " + std::to_string(r.status)];
			}
		});
}

Json Bench::runPhase(bool overWs, double rate, bool& ok, bool& sustained, std::string& line)
{
	_phase = std::make_unique<ChatPhase>();
	ChatPhase& phase = *_phase;
	phase.overWs = overWs;
	phase.rate = rate;
	phase.total = static_cast<std::size_t>(std::llround(rate * _options.duration));
	phase.flags.assign(phase.total, 0);
	const std::size_t errorsBefore = _errors;
	auto metrics0 = fetchMetrics();
	const double serverCpu0 = _options.serverPid > 0 ? procCpuSeconds(_options.serverPid) : 0;
	const double clientCpu0 = clientCpuSeconds();
	phase.start = nowUs() + 5000;
	// Open loop: message i is due at start + i/rate whatever happened before.
	while (phase.sent < phase.total)
	{
		const std::int64_t now = nowUs();
		const std::size_t due = std::min(phase.total,
			static_cast<std::size_t>(std::max<double>(0, static_cast<double>(now - phase.start) * rate / 1e6 + 1)));
		while (phase.sent < due)
		{
			const std::int64_t scheduled = phase.start + static_cast<std::int64_t>(static_cast<double>(phase.sent) * 1e6 / rate);
			phase.maxSendLagUs = std::max(phase.maxSendLagUs, now - scheduled);
			sendChat(phase.sent++, scheduled);
		}
		// Sleep until the next message is due (at most 1 ms), not spin: the
		// bench shares the machine with the server it measures.
		const std::int64_t next = phase.start + static_cast<std::int64_t>(static_cast<double>(phase.sent) * 1e6 / rate);
		_loop.pollUs(std::max<std::int64_t>(0, std::min<std::int64_t>(1000, next - nowUs())));
	}
	const std::int64_t sendEnd = nowUs();
	const std::int64_t drainEnd = sendEnd + static_cast<std::int64_t>(_options.drain * 1e6);
	while (nowUs() < drainEnd && (phase.stored + phase.failed < phase.total || phase.deliveredOfStored < phase.stored))
		_loop.poll(5);
	// An overloaded server still answers after the drain: those answers no
	// longer count as stored, and what was counted gets a grace period to
	// reach its receiver (its chatmsg may trail its 201 or ack).
	phase.cutOff = true;
	const std::int64_t graceEnd = nowUs() + 3000000;
	while (nowUs() < graceEnd && phase.deliveredOfStored < phase.stored) _loop.poll(5);
	const double serverCpu = _options.serverPid > 0 ? procCpuSeconds(_options.serverPid) - serverCpu0 : 0;
	const double clientCpu = clientCpuSeconds() - clientCpu0;
	auto metrics1 = fetchMetrics();
	const double batches = metrics1["palaver_messages_batches_total"] - metrics0["palaver_messages_batches_total"];
	const double batchMean = batches > 0 ? (metrics1["palaver_messages_stored_total"] - metrics0["palaver_messages_stored_total"]) / batches : 0;
	const double sendSeconds = static_cast<double>(sendEnd - phase.start) / 1e6;
	const double deliverySeconds = static_cast<double>(std::max(phase.lastDelivery, sendEnd) - phase.start) / 1e6;
	const double ratio = phase.stored > 0 ? static_cast<double>(phase.deliveredOfStored) / static_cast<double>(phase.stored) : 0;
	const double p99 = phase.delivery.percentileMs(99);
	ok = phase.stored == phase.total && phase.deliveredOfStored == phase.stored && phase.duplicates == 0;
	sustained = ok && p99 <= _options.p99Max && phase.maxSendLagUs < 100000;
	std::string failures;
	Json failureJson;
	for (const auto& f: phase.failures)
	{
		failureJson.add(f.first, f.second);
		failures += " " + f.first + " x" + std::to_string(f.second) + ";";
	}
	Json j;
	j.add("transport", overWs ? "websocket chatmsg" : "POST /post/touser")
		.add("target_rate", rate).add("duration_seconds", _options.duration).add("users", _users.size())
		.add("sent", phase.total).add("stored", phase.stored).add("failed", phase.failed).add("failures", failureJson)
		.add("unanswered_at_drain_end", phase.total - phase.stored - phase.failed)
		.add("delivered", phase.delivered).add("delivered_of_stored", phase.deliveredOfStored).add("duplicates", phase.duplicates).add("sender_echoes", phase.echoes)
		.add("delivery_ratio", ratio).add("complete", ok)
		.add("achieved_send_rate", sendSeconds > 0 ? static_cast<double>(phase.total) / sendSeconds : 0)
		.add("max_send_lag_ms", static_cast<double>(phase.maxSendLagUs) / 1000)
		.add("delivered_per_second", deliverySeconds > 0 ? static_cast<double>(phase.delivered) / deliverySeconds : 0)
		.add("delivery_latency_ms", phase.delivery.json())
		.add(overWs ? "ack_latency_ms" : "response_201_latency_ms", phase.store.json())
		.add("server_cpu_percent", sendSeconds > 0 ? 100 * serverCpu / deliverySeconds : 0)
		.add("client_cpu_percent", sendSeconds > 0 ? 100 * clientCpu / deliverySeconds : 0)
		.add("server_cpu_us_per_message", phase.stored > 0 ? 1e6 * serverCpu / static_cast<double>(phase.stored) : 0)
		.add("ws_error_frames", _errors - errorsBefore)
		.add("server_commit_batches", batches).add("server_mean_batch_size", batchMean)
		.add("sustained", sustained);
	if (_errors > errorsBefore) j.add("last_error_frame", _lastError);
	line = std::string(overWs ? "chat-ws" : "chat-http") + " @" + fixed(rate, 0) + "/s x " + fixed(_options.duration, _options.duration < 10 ? 1 : 0) + " s: sent "
		+ std::to_string(phase.total) + ", stored " + std::to_string(phase.stored) + ", delivered " + std::to_string(phase.deliveredOfStored)
		+ " (" + fixed(100 * ratio, 2) + "%), " + fixed(deliverySeconds > 0 ? static_cast<double>(phase.delivered) / deliverySeconds : 0, 0)
		+ " msg/s; latency p50 " + fixed(phase.delivery.percentileMs(50), 2) + " p99 " + fixed(p99, 2) + " p99.9 "
		+ fixed(phase.delivery.percentileMs(99.9), 2) + " max " + fixed(phase.delivery.maxMs(), 2) + " ms; server CPU "
		+ fixed(deliverySeconds > 0 ? 100 * serverCpu / deliverySeconds : 0, 0) + "% ("
		+ fixed(phase.stored > 0 ? 1e6 * serverCpu / static_cast<double>(phase.stored) : 0, 0) + " us/message), bench CPU "
		+ fixed(deliverySeconds > 0 ? 100 * clientCpu / deliverySeconds : 0, 0) + "%, " + fixed(batches, 0) + " commits of "
		+ fixed(batchMean, 1) + " messages" + (failures.empty() ? "" : ";" + failures)
		+ (sustained ? "" : " [NOT SUSTAINED]");
	_phase.reset();
	return j;
}

bool Bench::runChat(bool overWs, Json& result, std::string& summary)
{
	const std::size_t u = std::max<std::size_t>(2, _options.users);
	_users = registerUsers(u, overWs ? "w" : "h");
	const std::size_t ready = connect(_users, u);
	if (ready != u) throw std::runtime_error("only " + std::to_string(ready) + " of " + std::to_string(u) + " connections ready; last close: " + _lastClose);
	if (!overWs) openHttp(_options.httpConnections);
	pollFor(0.5);
	result.add("users", u).add("http_connections", overWs ? 0 : _options.httpConnections).add("message_size", _options.size)
		.add("server_before", serverJson());
	std::vector<Json> phases;
	bool allComplete = true;
	double rate = _options.rate;
	double best = 0;
	double firstFailing = 0;
	for (std::size_t step = 0; step < (_options.sweep ? _options.sweepSteps : 1); ++step)
	{
		bool complete = false, sustained = false;
		std::string line;
		Json phase = runPhase(overWs, rate, complete, sustained, line);
		std::cout << line << std::endl;
		summary += (summary.empty() ? "" : "\n") + line;
		phases.push_back(phase);
		allComplete = allComplete && complete;
		if (!_options.sweep) break;
		if (sustained) best = std::max(best, rate);
		else if (firstFailing == 0 || rate < firstFailing) firstFailing = rate;
		// Up by the factor until a step fails (down by it until one holds, if
		// the first fails), then half-way between the last good and the
		// first bad rate while they are more than 15% apart.
		if (firstFailing == 0) rate *= _options.sweepFactor;
		else if (best == 0) rate /= _options.sweepFactor;
		else if (firstFailing / best > 1.15) rate = std::round((best + firstFailing) / 2);
		else break;
		pollFor(1);
	}
	result.add("phases", phases).add("server_after", serverJson());
	if (_options.sweep)
	{
		result.add("highest_sustained_rate", best).add("p99_limit_ms", _options.p99Max);
		const std::string line = "highest sustained rate: " + fixed(best, 0) + " msg/s (100% delivered, p99 <= " + fixed(_options.p99Max, 0) + " ms)";
		std::cout << line << std::endl;
		summary += "\n" + line;
	}
	closeAll();
	// A sweep is expected to break the server at its last steps (with
	// --check, at smoke-test rates, every step must still be complete).
	return allComplete || (_options.sweep && !_options.check);
}

// --- fanout -----------------------------------------------------------------

bool Bench::runFanout(Json& result, std::string& summary)
{
	const std::size_t n = _options.connections;
	const std::size_t userCount = std::max<std::size_t>(1, std::min(_options.users, n));
	_users = registerUsers(userCount, "f");
	const std::size_t ready = connect(_users, n);
	if (ready != n) throw std::runtime_error("only " + std::to_string(ready) + " of " + std::to_string(n) + " connections ready; last close: " + _lastClose);
	pollFor(1);  // presence frames settle
	std::vector<Json> rounds;
	Samples all, after201;
	bool ok = true;
	for (std::size_t round = 0; round < _options.rounds; ++round)
	{
		_fanoutSeen.assign(_ws.size(), 0);
		_fanoutCount = 0;
		_fanoutName = _options.prefix + "new" + std::to_string(round);
		std::int64_t answered = 0;
		int status = 0;
		const double serverCpu0 = _options.serverPid > 0 ? procCpuSeconds(_options.serverPid) : 0;
		const double clientCpu0 = clientCpuSeconds();
		const std::int64_t t0 = nowUs();
		_http[0]->request(HttpConn::build("POST", "/register", "", "application/x-www-form-urlencoded",
				"username=" + _fanoutName + "&password=" + _options.password + "&info=fanout"),
			[&answered, &status](const HttpResponse& r) { answered = nowUs(); status = r.status; });
		const std::int64_t deadline = t0 + 30000000;
		while ((answered == 0 || _fanoutCount < n) && nowUs() < deadline) _loop.poll(1);
		const double serverCpuMs = _options.serverPid > 0 ? 1e3 * (procCpuSeconds(_options.serverPid) - serverCpu0) : 0;
		const double clientCpuMs = 1e3 * (clientCpuSeconds() - clientCpu0);
		Samples seen;
		for (const std::int64_t t: _fanoutSeen)
			if (t != 0) seen.add(t - t0);
		const double allMs = seen.count() == n ? seen.maxMs() : -1;
		const double registerMs = answered ? static_cast<double>(answered - t0) / 1000 : -1;
		Json j;
		j.add("register_status", status).add("register_ms", registerMs).add("reached", seen.count())
			.add("first_ms", seen.percentileMs(0)).add("p50_ms", seen.percentileMs(50)).add("p99_ms", seen.percentileMs(99))
			.add("all_ms", allMs).add("all_after_201_ms", answered && allMs >= 0 ? allMs - registerMs : -1)
			.add("server_cpu_ms", serverCpuMs).add("bench_cpu_ms", clientCpuMs);
		rounds.push_back(j);
		ok = ok && status == 201 && seen.count() == n;
		if (seen.count() == n)
		{
			all.add(static_cast<std::int64_t>(allMs * 1000));
			after201.add(static_cast<std::int64_t>((allMs - registerMs) * 1000));
		}
		pollFor(0.3);
	}
	_fanoutName.clear();
	result.add("connections", n).add("users", userCount).add("rounds", rounds)
		.add("median_all_ms", all.percentileMs(50)).add("median_all_after_201_ms", after201.percentileMs(50))
		.add("server", serverJson());
	summary = "fanout: usermsg reached all " + std::to_string(n) + " connections in " + fixed(all.percentileMs(50), 2)
		+ " ms median over " + std::to_string(all.count()) + "/" + std::to_string(_options.rounds) + " registrations (from the request; "
		+ fixed(after201.percentileMs(50), 2) + " ms after the 201)";
	closeAll();
	return ok;
}

// --- history ----------------------------------------------------------------

bool Bench::runHistory(Json& result, std::string& summary)
{
	_users = registerUsers(2, "h");
	const User& a = _users[0];
	const User& b = _users[1];
	openHttp(std::max<std::size_t>(8, _options.httpConnections));
	std::size_t posted = 0, failed = 0;
	for (std::size_t i = 0; i < _options.historyMessages; ++i)
	{
		const User& from = i % 2 ? b : a;
		const User& to = i % 2 ? a : b;
		_http[i % 8]->request(HttpConn::build("POST", "/post/touser/" + std::to_string(to.id), from.token,
				"application/x-www-form-urlencoded", "text=history+message+" + std::to_string(i)),
			[&posted, &failed](const HttpResponse& r) { ++(r.status == 201 ? posted : failed); });
	}
	const std::int64_t fillDeadline = nowUs() + 120000000;
	while (posted + failed < _options.historyMessages && nowUs() < fillDeadline) _loop.poll(10);
	if (posted != _options.historyMessages) throw std::runtime_error("history: only " + std::to_string(posted) + " messages stored");

	// Closed loop: every connection asks again as soon as it has its answer.
	const std::string request = HttpConn::build("GET", "/messages/from/" + std::to_string(b.id), a.token);
	std::size_t answers = 0, errors = 0, wrongCount = 0, bytes = 0;
	std::map<std::string, std::size_t> errorKinds;
	Samples latency;
	bool running = true;
	std::function<void(HttpConn&)> ask;
	ask = [&](HttpConn& conn)
	{
		const std::int64_t t0 = nowUs();
		conn.request(request, [&, t0, c = &conn](const HttpResponse& r)
		{
			if (!running) return;
			latency.add(nowUs() - t0);
			if (r.status != 200)
			{
				++errors;
				++errorKinds[r.status ? "HTTP " + std::to_string(r.status) + " " + r.body.substr(0, 200) : "connection lost"];
			}
			else
			{
				++answers;
				bytes += r.body.size();
				std::size_t count = 0;
				for (auto at = r.body.find("\"fromUserId\""); at != std::string::npos; at = r.body.find("\"fromUserId\"", at + 1)) ++count;
				if (count != _options.historyMessages) ++wrongCount;
			}
			ask(*c);
		});
	};
	const double serverCpu0 = _options.serverPid > 0 ? procCpuSeconds(_options.serverPid) : 0;
	const std::int64_t start = nowUs();
	for (auto& conn: _http) ask(*conn);
	pollFor(_options.duration);
	running = false;
	const double seconds = static_cast<double>(nowUs() - start) / 1e6;
	const double serverCpu = _options.serverPid > 0 ? procCpuSeconds(_options.serverPid) - serverCpu0 : 0;
	const double rps = static_cast<double>(answers) / seconds;
	Json errorJson;
	for (const auto& e: errorKinds) errorJson.add(e.first, e.second);
	result.add("error_kinds", errorJson);
	result.add("messages", _options.historyMessages).add("http_connections", _http.size()).add("seconds", seconds)
		.add("answers", answers).add("errors", errors).add("wrong_message_count", wrongCount)
		.add("requests_per_second", rps).add("mib_per_second", static_cast<double>(bytes) / seconds / 1048576)
		.add("bytes_per_answer", answers ? bytes / answers : 0).add("latency_ms", latency.json())
		.add("server_cpu_percent", 100 * serverCpu / seconds)
		.add("server_cpu_ms_per_request", answers ? 1e3 * serverCpu / static_cast<double>(answers) : 0).add("server", serverJson());
	summary = "history: GET /messages/from on " + std::to_string(_options.historyMessages) + " messages: " + fixed(rps, 0) + " requests/s ("
		+ fixed(static_cast<double>(bytes) / seconds / 1048576, 1) + " MiB/s), p50 " + fixed(latency.percentileMs(50), 2) + " p99 "
		+ fixed(latency.percentileMs(99), 2) + " ms, server CPU " + fixed(100 * serverCpu / seconds, 0) + "% (" + fixed(answers ? 1e3 * serverCpu / static_cast<double>(answers) : 0, 2)
		+ " ms/request), " + std::to_string(errors)
		+ " errors";
	// Let answers in flight land on live connections before they are closed.
	closeAll();
	return answers > 0 && errors == 0 && wrongCount == 0;
}

} } // namespace Palaver::Bench
