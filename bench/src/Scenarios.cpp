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

Server parseServer(const std::string& text)
{
	// HOST:HTTP_PORT[:WS_PORT]
	const auto first = text.find(':');
	if (first == std::string::npos || first == 0) throw std::invalid_argument("--server needs HOST:HTTP_PORT[:WS_PORT], not " + text);
	Server server;
	server.host = text.substr(0, first);
	const auto second = text.find(':', first + 1);
	auto port = [&text](const std::string& digits)
	{
		if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos || std::stoul(digits) == 0 || std::stoul(digits) > 65535)
			throw std::invalid_argument("--server: bad port in " + text);
		return static_cast<std::uint16_t>(std::stoul(digits));
	};
	server.httpPort = port(text.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1));
	if (second != std::string::npos) server.wsPort = port(text.substr(second + 1));
	return server;
}

Bench::Bench(const Options& options):
	_options(options)
{
	if (_options.prefix.empty()) _options.prefix = "b" + std::to_string(::getpid()) + "_" + std::to_string(nowUs() % 100000) + "_";
	if (_options.servers.empty())
	{
		Server server;
		server.host = _options.host;
		server.httpPort = _options.httpPort;
		server.wsPort = _options.wsPort;
		server.pid = _options.serverPid;
		_options.servers.push_back(server);
	}
	for (const Server& server: _options.servers)
	{
		Node node;
		node.server = server;
		node.http = makeTarget(server.host, server.httpPort, 0);
		node.ws = makeTarget(server.host, server.wsPort ? server.wsPort : server.httpPort, static_cast<unsigned>(_options.perSource));
		node.wsPath = server.wsPort ? "/" : "/ws";
		_nodes.push_back(std::move(node));
	}
}

Bench::~Bench()
{
	closeAll();
}

bool Bench::run(Json& result, std::string& summary)
{
	result.add("scenario", _options.scenario);
	if (_options.scenario == "idle") return runIdle(result, summary);
	if (_options.scenario == "idle-http") return runIdleHttp(result, summary);
	if (_options.scenario == "chat-http") return runChat(false, result, summary);
	if (_options.scenario == "chat-ws") return runChat(true, result, summary);
	if (_options.scenario == "fanout") return runFanout(result, summary);
	if (_options.scenario == "history") return runHistory(result, summary);
	if (_options.scenario == "search") return runSearch(result, summary);
	if (_options.scenario == "group-fanout") return runGroupFanout(result, summary);
	if (_options.scenario == "conversations") return runConversations(result, summary);
	if (_options.scenario == "connect-storm") return runConnectStorm(result, summary);
	if (_options.scenario == "uploads") return runUploads(result, summary);
	if (_options.scenario == "uploads-chat") return runUploadsChat(result, summary);
	throw std::runtime_error("unknown scenario: " + _options.scenario);
}

// --- common -----------------------------------------------------------------

void Bench::pollFor(double seconds)
{
	const std::int64_t end = nowUs() + static_cast<std::int64_t>(seconds * 1e6);
	while (nowUs() < end) _loop.poll(static_cast<int>(std::max<std::int64_t>(1, std::min<std::int64_t>(100, (end - nowUs()) / 1000))));
}

void Bench::openHttp(std::size_t total)
{
	const std::size_t n = _nodes.size();
	for (std::size_t k = 0; k < n; ++k)
	{
		Node& node = _nodes[k];
		const std::size_t share = std::max<std::size_t>(1, total / n + (k < total % n ? 1 : 0));
		while (node.pool.size() < share) node.pool.push_back(std::make_unique<HttpConn>(_loop, node.http));
	}
}

std::size_t Bench::httpConnectionCount() const
{
	std::size_t count = 0;
	for (const Node& node: _nodes) count += node.pool.size();
	return count;
}

HttpConn& Bench::pickHttp(std::size_t k)
{
	// An idle connection if there is one, else the least loaded: requests
	// that wait here are still timed from their scheduled send time.
	Node& node = _nodes[k];
	if (node.pool.empty()) openHttp(_nodes.size());
	HttpConn* best = nullptr;
	for (std::size_t i = 0; i < node.pool.size(); ++i)
	{
		HttpConn& c = *node.pool[(node.next + i) % node.pool.size()];
		if (c.outstanding() == 0)
		{
			node.next = (node.next + i + 1) % node.pool.size();
			return c;
		}
		if (!best || c.outstanding() < best->outstanding()) best = &c;
	}
	return *best;
}

std::vector<Bench::User> Bench::registerUsers(std::size_t count, const std::string& tag)
{
	// User i lives on node i % nodes (round-robin) and registers there.
	std::vector<User> users(count);
	std::size_t done = 0, failed = 0;
	std::string lastFailure;
	const std::size_t n = _nodes.size();
	openHttp(4 * n);
	for (std::size_t i = 0; i < count; ++i)
	{
		users[i].name = _options.prefix + tag + std::to_string(_userCounter++);
		users[i].node = i % n;
		const std::string body = "username=" + users[i].name + "&password=" + _options.password + "&info=bench";
		User& user = users[i];
		auto& pool = _nodes[i % n].pool;
		pool[(i / n) % 4]->request(HttpConn::build("POST", "/register", "", "application/x-www-form-urlencoded", body),
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
			const Node& node = _nodes[user.node];
			auto conn = std::make_unique<WsConn>(_loop, node.ws, first + created, user.token, *this, node.wsPath);
			conn->userId = user.id;
			conn->node = user.node;
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
	for (Node& node: _nodes)
	{
		node.pool.clear();
		node.next = 0;
	}
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
	++_framesIn;
	_lastFrameUs = nowUs();
	if (is("presence"))
	{
		++_presenceIn;
		if (conn.index < _presenceOf.size()) ++_presenceOf[conn.index];
		return;
	}
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
		if (conn.node < _phase->deliveredAt.size()) ++_phase->deliveredAt[conn.node];
		if (clustered())
		{
			const bool cross = _users[seq % _users.size()].node != conn.node;
			if (cross) ++_phase->crossNode;
			(cross ? _phase->deliveryCross : _phase->deliverySame).add(now - sendUs);
		}
	}
	else if (is("ack"))
	{
		if (!_phase) return;
		const std::string text(data, size);
		const std::size_t seq = std::strtoull(jsonField(text, "clientMsgId").c_str(), nullptr, 10);
		if (seq >= _phase->total) return;
		if (_phase->markStored(seq, conn.node))
			_phase->store.add(nowUs() - (_phase->start + static_cast<std::int64_t>(static_cast<double>(seq) * 1e6 / _phase->rate)));
	}
	else if (is("groupmsg"))
	{
		if (_fanoutName.empty() || conn.index >= _fanoutSeen.size()) return;
		if (!::memmem(data, size, _fanoutName.data(), _fanoutName.size())) return;
		if (_fanoutSeen[conn.index] != 0)
		{
			++_fanoutDuplicates;
			return;
		}
		_fanoutSeen[conn.index] = nowUs();
		++_fanoutCount;
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

std::map<std::string, double> Bench::fetchMetrics(std::size_t node)
{
	std::map<std::string, double> values;
	HttpConn conn(_loop, _nodes[node].http);
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
	auto one = [](int pid)
	{
		Json j;
		if (pid <= 0) return j;
		j.add("pid", pid)
			.add("vmrss_kib", static_cast<std::int64_t>(procStatus(pid, "VmRSS")))
			.add("threads", static_cast<std::int64_t>(procStatus(pid, "Threads")))
			.add("cpu_seconds", procCpuSeconds(pid));
		return j;
	};
	if (!clustered()) return one(_nodes[0].server.pid);
	std::vector<Json> nodes;
	for (const Node& node: _nodes) nodes.push_back(one(node.server.pid));
	Json j;
	j.add("nodes", nodes);
	return j;
}

std::vector<double> Bench::nodeCpuSeconds() const
{
	std::vector<double> cpu;
	for (const Node& node: _nodes) cpu.push_back(node.server.pid > 0 ? procCpuSeconds(node.server.pid) : 0);
	return cpu;
}

double Bench::serverCpuSeconds() const
{
	double sum = 0;
	for (const double cpu: nodeCpuSeconds()) sum += cpu;
	return sum;
}

// --- idle-http --------------------------------------------------------------

bool Bench::runIdleHttp(Json& result, std::string& summary)
{
	// Keep-alive HTTP connections to the first server, each answered one
	// GET /health and then silent; asked once more after the idle interval.
	const std::size_t n = _options.connections;
	const Node& node = _nodes[0];
	const int pid = node.server.pid;
	const Target target = makeTarget(node.server.host, node.server.httpPort, static_cast<unsigned>(_options.perSource));
	const std::string health = HttpConn::build("GET", "/health", "");
	const long rssBefore = pid > 0 ? procStatus(pid, "VmRSS") : -1;
	const long threadsBefore = pid > 0 ? procStatus(pid, "Threads") : -1;
	std::vector<std::unique_ptr<HttpConn>> conns;
	std::size_t answered = 0;
	const std::int64_t t0 = nowUs();
	for (std::size_t i = 0; i < n; ++i)
	{
		conns.push_back(std::make_unique<HttpConn>(_loop, target));
		conns.back()->request(health, [&answered](const HttpResponse& r) { if (r.status == 200) ++answered; });
		if (i % _options.connectInFlight == 0) pollFor(0.01);
	}
	while (answered < n && nowUs() - t0 < 120000000) pollFor(0.1);
	const double connectSeconds = static_cast<double>(nowUs() - t0) / 1e6;
	pollFor(1);
	const long rssAfter = pid > 0 ? procStatus(pid, "VmRSS") : -1;
	const long threads = pid > 0 ? procStatus(pid, "Threads") : -1;
	const double cpu0 = serverCpuSeconds();
	const std::int64_t c0 = nowUs();
	pollFor(_options.idleInterval);
	const double cpuSeconds = serverCpuSeconds() - cpu0;
	const double interval = static_cast<double>(nowUs() - c0) / 1e6;
	std::size_t again = 0;
	for (auto& conn: conns) conn->request(health, [&again](const HttpResponse& r) { if (r.status == 200) ++again; });
	const std::int64_t t1 = nowUs();
	while (again < answered && nowUs() - t1 < 60000000) pollFor(0.1);
	const double perConnKiB = answered > 0 && pid > 0 ? static_cast<double>(rssAfter - rssBefore) / static_cast<double>(answered) : 0;
	result.add("connections", n).add("answered", answered).add("answered_after_idle", again)
		.add("connect_seconds", connectSeconds)
		.add("server_rss_before_kib", static_cast<std::int64_t>(rssBefore))
		.add("server_rss_after_kib", static_cast<std::int64_t>(rssAfter))
		.add("server_rss_per_connection_kib", perConnKiB)
		.add("server_threads_before", static_cast<std::int64_t>(threadsBefore))
		.add("server_threads", static_cast<std::int64_t>(threads))
		.add("server_idle_cpu_percent", interval > 0 ? 100 * cpuSeconds / interval : 0);
	summary = "idle-http: " + std::to_string(answered) + "/" + std::to_string(n) + " keep-alive connections answered in "
		+ fixed(connectSeconds) + " s, " + std::to_string(again) + " answered again after " + fixed(interval) + " s";
	if (pid > 0)
		summary += "; server RSS " + fixed(perConnKiB, 2) + " KiB/connection (" + std::to_string(rssBefore / 1024) + " -> "
			+ std::to_string(rssAfter / 1024) + " MiB), threads " + std::to_string(threadsBefore) + " -> " + std::to_string(threads)
			+ ", idle CPU " + fixed(interval > 0 ? 100 * cpuSeconds / interval : 0, 2) + "% of one core";
	conns.clear();
	return answered == n && again == n;
}

// --- idle -------------------------------------------------------------------

bool Bench::runIdle(Json& result, std::string& summary)
{
	const std::size_t n = _options.connections;
	const std::size_t userCount = std::max<std::size_t>(1, std::min(_options.users, n));
	_users = registerUsers(userCount, "i");
	closeAll();   // no keep-alive connection in the figures
	pollFor(0.5);
	// Server figures are sums over the nodes (threads: the most of any node).
	const std::size_t nodes = _nodes.size();
	const bool pids = _nodes[0].server.pid > 0;
	auto status = [this](const char* field)
	{
		std::vector<long> values;
		for (const Node& node: _nodes) values.push_back(node.server.pid > 0 ? procStatus(node.server.pid, field) : -1);
		return values;
	};
	auto sum = [](const std::vector<long>& values) { long total = 0; for (long v: values) total += std::max(0L, v); return total; };
	auto most = [](const std::vector<long>& values) { return values.empty() ? -1L : *std::max_element(values.begin(), values.end()); };
	const std::vector<long> rssBefore = status("VmRSS");
	const std::vector<long> threadsBefore = status("Threads");
	const long tcpBefore = tcpKernelKiB();
	const double connectCpu0 = serverCpuSeconds();
	const std::int64_t t0 = nowUs();
	const std::size_t ready = connect(_users, n);
	const double connectSeconds = static_cast<double>(nowUs() - t0) / 1e6;
	const double connectCpu = serverCpuSeconds() - connectCpu0;
	pollFor(2);  // presence frames settle
	const std::vector<long> rssAfter = status("VmRSS");
	const std::vector<long> threads = status("Threads");
	const long tcpAfter = tcpKernelKiB();
	const std::vector<double> cpu0 = nodeCpuSeconds();
	const std::int64_t c0 = nowUs();
	pollFor(_options.idleInterval);
	const std::vector<double> cpu1 = nodeCpuSeconds();
	double cpuSeconds = 0;
	for (std::size_t k = 0; k < nodes; ++k) cpuSeconds += cpu1[k] - cpu0[k];
	const double interval = static_cast<double>(nowUs() - c0) / 1e6;
	const std::size_t stillOpen = _ready;
	const double perConnKiB = ready > 0 && pids ? static_cast<double>(sum(rssAfter) - sum(rssBefore)) / static_cast<double>(ready) : 0;
	result.add("connections", n).add("users", userCount).add("ready", ready).add("open_after_idle", stillOpen)
		.add("connect_seconds", connectSeconds).add("server_cpu_seconds_connecting", connectCpu)
		.add("server_rss_before_kib", static_cast<std::int64_t>(pids ? sum(rssBefore) : -1))
		.add("server_rss_after_kib", static_cast<std::int64_t>(pids ? sum(rssAfter) : -1))
		.add("server_rss_per_connection_kib", perConnKiB)
		.add("server_threads_before", static_cast<std::int64_t>(most(threadsBefore)))
		.add("server_threads", static_cast<std::int64_t>(most(threads)))
		.add("server_idle_cpu_percent", interval > 0 ? 100 * cpuSeconds / interval : 0)
		.add("idle_interval_seconds", interval)
		.add("kernel_tcp_mem_kib_delta_both_ends", static_cast<std::int64_t>(tcpAfter - tcpBefore))
		.add("last_close", _lastClose);
	std::string perNodeText;
	if (clustered())
	{
		std::vector<Json> perNode;
		for (std::size_t k = 0; k < nodes; ++k)
		{
			std::size_t open = 0;
			for (const auto& conn: _ws)
				if (conn->node == k && conn->ready) ++open;
			const double kib = open > 0 && rssAfter[k] >= 0 ? static_cast<double>(rssAfter[k] - rssBefore[k]) / static_cast<double>(open) : 0;
			Json j;
			j.add("node", k).add("open_after_idle", open).add("rss_before_kib", static_cast<std::int64_t>(rssBefore[k]))
				.add("rss_after_kib", static_cast<std::int64_t>(rssAfter[k])).add("rss_per_connection_kib", kib)
				.add("threads", static_cast<std::int64_t>(threads[k]))
				.add("idle_cpu_percent", interval > 0 ? 100 * (cpu1[k] - cpu0[k]) / interval : 0);
			perNode.push_back(j);
			perNodeText += (k ? ", " : "; per node: ") + std::to_string(open) + " open";
			if (rssAfter[k] >= 0) perNodeText += " " + fixed(kib, 2) + " KiB/connection " + std::to_string(threads[k]) + " threads";
		}
		result.add("nodes", perNode);
	}
	summary = "idle: " + std::to_string(ready) + "/" + std::to_string(n) + " connections (" + std::to_string(userCount) + " users"
		+ (clustered() ? ", " + std::to_string(nodes) + " nodes" : "") + ") ready in "
		+ fixed(connectSeconds) + " s (server CPU " + fixed(connectCpu, 2) + " s), "
		+ std::to_string(stillOpen) + " still open after " + fixed(interval) + " s";
	if (pids)
		summary += "; server RSS " + fixed(perConnKiB, 2) + " KiB/connection (" + std::to_string(sum(rssBefore) / 1024) + " -> "
			+ std::to_string(sum(rssAfter) / 1024) + " MiB), " + std::to_string(most(threads)) + " threads, idle CPU "
			+ fixed(interval > 0 ? 100 * cpuSeconds / interval : 0, 2) + "% of one core";
	summary += perNodeText;
	bool ok = ready == n && stillOpen == n;
	// Over several nodes each node holds its share (users round-robin).
	for (std::size_t k = 0; k < nodes && clustered() && userCount >= nodes; ++k)
	{
		std::size_t open = 0;
		for (const auto& conn: _ws)
			if (conn->node == k && conn->ready) ++open;
		ok = ok && open > 0;
	}
	closeAll();
	return ok;
}

// --- chat -------------------------------------------------------------------

std::size_t Bench::receiverOf(std::size_t seq) const
{
	// User s sends to s+1; with N nodes (users round-robin over them) each
	// round of U messages uses the next offset of 1..N, so that a receiver is
	// on another node than its sender for (N-1)/N of the messages, as with
	// evenly spread random pairs (one node: always s+1, as before).
	const std::size_t u = _users.size();
	const std::size_t offsets = std::max<std::size_t>(1, std::min(_nodes.size(), u - 1));
	return (seq % u + 1 + (seq / u) % offsets) % u;
}

void Bench::sendChat(std::size_t seq, std::int64_t scheduled)
{
	const std::size_t u = _users.size();
	const User& from = _users[seq % u];
	const User& to = _users[receiverOf(seq)];
	std::string text = std::string(kMarker) + std::to_string(seq) + "." + std::to_string(scheduled) + "." + std::to_string(to.id) + ".";
	if (text.size() < _options.size) text.append(_options.size - text.size(), 'x');
	ChatPhase& phase = *_phase;
	if (phase.overWs)
	{
		const std::string frame = "{\"type\":\"chatmsg\",\"toUserId\":" + std::to_string(to.id) + ",\"text\":\"" + text
			+ "\",\"clientMsgId\":\"" + std::to_string(seq) + "\"}";
		WsConn& conn = *_ws[seq % u];
		++phase.sentVia[conn.node];
		if (conn.state() != WsConn::State::Open) ++phase.failures["sender connection closed"], ++phase.failed;
		else conn.sendText(frame);
		return;
	}
	const std::size_t node = from.node;
	++phase.sentVia[node];
	pickHttp(node).request(
		HttpConn::build("POST", "/post/touser/" + std::to_string(to.id), from.token, "application/x-www-form-urlencoded", "text=" + text),
		[this, seq, scheduled, node](const HttpResponse& r)
		{
			if (!_phase) return;
			if (r.status == 201)
			{
				if (_phase->markStored(seq, node)) _phase->store.add(nowUs() - scheduled);
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
	const std::size_t nodes = _nodes.size();
	_phase = std::make_unique<ChatPhase>();
	ChatPhase& phase = *_phase;
	phase.overWs = overWs;
	phase.rate = rate;
	phase.total = static_cast<std::size_t>(std::llround(rate * _options.duration));
	phase.flags.assign(phase.total, 0);
	phase.sentVia.assign(nodes, 0);
	phase.storedVia.assign(nodes, 0);
	phase.deliveredAt.assign(nodes, 0);
	const std::size_t errorsBefore = _errors;
	std::vector<std::map<std::string, double>> metrics0;
	for (std::size_t k = 0; k < nodes; ++k) metrics0.push_back(fetchMetrics(k));
	const std::vector<double> serverCpu0 = nodeCpuSeconds();
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
	const std::vector<double> serverCpu1 = nodeCpuSeconds();
	const double clientCpu = clientCpuSeconds() - clientCpu0;
	std::vector<std::map<std::string, double>> metrics1;
	for (std::size_t k = 0; k < nodes; ++k) metrics1.push_back(fetchMetrics(k));
	auto delta = [&](std::size_t k, const char* name) { return metrics1[k][name] - metrics0[k][name]; };
	double serverCpu = 0, batches = 0, storedOnServers = 0, published = 0, received = 0, dropped = 0;
	for (std::size_t k = 0; k < nodes; ++k)
	{
		serverCpu += serverCpu1[k] - serverCpu0[k];
		batches += delta(k, "palaver_messages_batches_total");
		storedOnServers += delta(k, "palaver_messages_stored_total");
		published += delta(k, "palaver_cluster_published_total");
		received += delta(k, "palaver_cluster_received_total");
		dropped += delta(k, "palaver_cluster_dropped_total");
	}
	const double batchMean = batches > 0 ? storedOnServers / batches : 0;
	const double sendSeconds = static_cast<double>(sendEnd - phase.start) / 1e6;
	const double deliverySeconds = static_cast<double>(std::max(phase.lastDelivery, sendEnd) - phase.start) / 1e6;
	const double ratio = phase.stored > 0 ? static_cast<double>(phase.deliveredOfStored) / static_cast<double>(phase.stored) : 0;
	const double p99 = phase.delivery.percentileMs(99);
	ok = phase.stored == phase.total && phase.deliveredOfStored == phase.stored && phase.duplicates == 0;
	// Over several nodes some deliveries must have crossed (else the users
	// were not spread and the run proves nothing about the cluster).
	if (clustered() && _users.size() > 1 && phase.crossNode == 0) ok = false;
	sustained = ok && p99 <= _options.p99Max && phase.maxSendLagUs < 100000;
	std::string failures;
	Json failureJson;
	for (const auto& f: phase.failures)
	{
		failureJson.add(f.first, f.second);
		failures += " " + f.first + " x" + std::to_string(f.second) + ";";
	}
	const bool pids = _nodes[0].server.pid > 0;
	Json j;
	j.add("transport", overWs ? "websocket chatmsg" : "POST /post/touser")
		.add("target_rate", rate).add("duration_seconds", _options.duration).add("users", _users.size()).add("nodes", nodes)
		.add("sent", phase.total).add("stored", phase.stored).add("failed", phase.failed).add("failures", failureJson)
		.add("unanswered_at_drain_end", phase.total - phase.stored - phase.failed)
		.add("delivered", phase.delivered).add("delivered_of_stored", phase.deliveredOfStored).add("duplicates", phase.duplicates).add("sender_echoes", phase.echoes)
		.add("delivery_ratio", ratio).add("complete", ok)
		.add("achieved_send_rate", sendSeconds > 0 ? static_cast<double>(phase.total) / sendSeconds : 0)
		.add("max_send_lag_ms", static_cast<double>(phase.maxSendLagUs) / 1000)
		.add("delivered_per_second", deliverySeconds > 0 ? static_cast<double>(phase.delivered) / deliverySeconds : 0)
		.add("delivery_latency_ms", phase.delivery.json())
		.add(overWs ? "ack_latency_ms" : "response_201_latency_ms", phase.store.json())
		.add("server_cpu_percent", deliverySeconds > 0 ? 100 * serverCpu / deliverySeconds : 0)
		.add("client_cpu_percent", deliverySeconds > 0 ? 100 * clientCpu / deliverySeconds : 0)
		.add("server_cpu_us_per_message", phase.stored > 0 ? 1e6 * serverCpu / static_cast<double>(phase.stored) : 0)
		.add("ws_error_frames", _errors - errorsBefore)
		.add("server_commit_batches", batches).add("server_mean_batch_size", batchMean)
		.add("sustained", sustained);
	if (_errors > errorsBefore) j.add("last_error_frame", _lastError);
	std::string clusterText;
	if (clustered())
	{
		// Every node publishes each of its events once; Redis sends each to
		// every subscribed node (the sender's own copy is dropped there).
		std::vector<Json> perNode;
		for (std::size_t k = 0; k < nodes; ++k)
		{
			const double cpu = serverCpu1[k] - serverCpu0[k];
			const double nodeBatches = delta(k, "palaver_messages_batches_total");
			Json n;
			n.add("node", k).add("http_port", static_cast<std::int64_t>(_nodes[k].server.httpPort))
				.add("sent_by_its_users", phase.sentVia[k]).add("stored_by_its_users", phase.storedVia[k])
				.add("delivered_to_its_connections", phase.deliveredAt[k])
				.add("cpu_seconds", cpu).add("cpu_percent", deliverySeconds > 0 ? 100 * cpu / deliverySeconds : 0)
				.add("cpu_us_per_message_stored_here", phase.storedVia[k] > 0 ? 1e6 * cpu / static_cast<double>(phase.storedVia[k]) : 0)
				.add("commit_batches", nodeBatches)
				.add("mean_batch_size", nodeBatches > 0 ? delta(k, "palaver_messages_stored_total") / nodeBatches : 0)
				.add("cluster_published", delta(k, "palaver_cluster_published_total"))
				.add("cluster_received", delta(k, "palaver_cluster_received_total"))
				.add("cluster_dropped", delta(k, "palaver_cluster_dropped_total"))
				.add("cluster_connected", metrics1[k]["palaver_cluster_connected"]);
			perNode.push_back(n);
		}
		const double crossShare = phase.delivered > 0 ? static_cast<double>(phase.crossNode) / static_cast<double>(phase.delivered) : 0;
		j.add("per_node", perNode)
			.add("cross_node_deliveries", phase.crossNode).add("cross_node_share", crossShare)
			.add("delivery_latency_cross_node_ms", phase.deliveryCross.json())
			.add("delivery_latency_same_node_ms", phase.deliverySame.json())
			.add("cluster_events_published", published).add("cluster_events_received", received).add("cluster_events_dropped", dropped)
			.add("redis_publish_per_second", deliverySeconds > 0 ? published / deliverySeconds : 0)
			.add("redis_messages_out_per_second", deliverySeconds > 0 ? published * static_cast<double>(nodes) / deliverySeconds : 0);
		clusterText = "; " + std::to_string(nodes) + " nodes: " + std::to_string(phase.crossNode) + " deliveries crossed nodes ("
			+ fixed(100 * crossShare, 0) + "%), p50 " + fixed(phase.deliveryCross.percentileMs(50), 2) + " p99 "
			+ fixed(phase.deliveryCross.percentileMs(99), 2) + " ms (same node p50 " + fixed(phase.deliverySame.percentileMs(50), 2)
			+ " p99 " + fixed(phase.deliverySame.percentileMs(99), 2) + " ms), Redis " + fixed(deliverySeconds > 0 ? published / deliverySeconds : 0, 0)
			+ " publish/s";
		if (dropped > 0) clusterText += ", " + fixed(dropped, 0) + " events DROPPED";
		if (pids)
		{
			clusterText += "; CPU per node";
			for (std::size_t k = 0; k < nodes; ++k)
				clusterText += (k ? ", " : " ") + fixed(deliverySeconds > 0 ? 100 * (serverCpu1[k] - serverCpu0[k]) / deliverySeconds : 0, 0) + "% ("
					+ fixed(phase.storedVia[k] > 0 ? 1e6 * (serverCpu1[k] - serverCpu0[k]) / static_cast<double>(phase.storedVia[k]) : 0, 0) + " us/message sent there)";
		}
	}
	line = std::string(overWs ? "chat-ws" : "chat-http") + " @" + fixed(rate, 0) + "/s x " + fixed(_options.duration, _options.duration < 10 ? 1 : 0) + " s: sent "
		+ std::to_string(phase.total) + ", stored " + std::to_string(phase.stored) + ", delivered " + std::to_string(phase.deliveredOfStored)
		+ " (" + fixed(100 * ratio, 2) + "%), " + fixed(deliverySeconds > 0 ? static_cast<double>(phase.delivered) / deliverySeconds : 0, 0)
		+ " msg/s; latency p50 " + fixed(phase.delivery.percentileMs(50), 2) + " p99 " + fixed(p99, 2) + " p99.9 "
		+ fixed(phase.delivery.percentileMs(99.9), 2) + " max " + fixed(phase.delivery.maxMs(), 2) + " ms; server CPU "
		+ fixed(deliverySeconds > 0 ? 100 * serverCpu / deliverySeconds : 0, 0) + "% ("
		+ fixed(phase.stored > 0 ? 1e6 * serverCpu / static_cast<double>(phase.stored) : 0, 0) + " us/message), bench CPU "
		+ fixed(deliverySeconds > 0 ? 100 * clientCpu / deliverySeconds : 0, 0) + "%, " + fixed(batches, 0) + " commits of "
		+ fixed(batchMean, 1) + " messages" + clusterText + (failures.empty() ? "" : ";" + failures)
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
	result.add("users", u).add("nodes", _nodes.size()).add("http_connections", overWs ? 0 : httpConnectionCount()).add("message_size", _options.size)
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
	const std::size_t nodes = _nodes.size();
	const std::size_t userCount = std::max<std::size_t>(1, std::min(_options.users, n));
	_users = registerUsers(userCount, "f");
	const std::size_t ready = connect(_users, n);
	if (ready != n) throw std::runtime_error("only " + std::to_string(ready) + " of " + std::to_string(n) + " connections ready; last close: " + _lastClose);
	pollFor(1);  // presence frames settle
	std::vector<Json> rounds;
	// With several nodes, round r registers on node r % nodes: "local" are the
	// connections on that node, "remote" the others (usermsg through the bus).
	Samples all, after201, allLocal, allRemote;
	bool ok = true;
	for (std::size_t round = 0; round < _options.rounds; ++round)
	{
		const std::size_t origin = round % nodes;
		_fanoutSeen.assign(_ws.size(), 0);
		_fanoutCount = 0;
		_fanoutName = _options.prefix + "new" + std::to_string(round);
		std::int64_t answered = 0;
		int status = 0;
		const double serverCpu0 = serverCpuSeconds();
		const double clientCpu0 = clientCpuSeconds();
		const std::int64_t t0 = nowUs();
		pickHttp(origin).request(HttpConn::build("POST", "/register", "", "application/x-www-form-urlencoded",
				"username=" + _fanoutName + "&password=" + _options.password + "&info=fanout"),
			[&answered, &status](const HttpResponse& r) { answered = nowUs(); status = r.status; });
		const std::int64_t deadline = t0 + 30000000;
		while ((answered == 0 || _fanoutCount < n) && nowUs() < deadline) _loop.poll(1);
		const double serverCpuMs = 1e3 * (serverCpuSeconds() - serverCpu0);
		const double clientCpuMs = 1e3 * (clientCpuSeconds() - clientCpu0);
		Samples seen, local, remote;
		std::size_t localCount = 0, remoteCount = 0;
		for (std::size_t i = 0; i < _fanoutSeen.size(); ++i)
		{
			const bool isLocal = _ws[i]->node == origin;
			++(isLocal ? localCount : remoteCount);
			const std::int64_t t = _fanoutSeen[i];
			if (t == 0) continue;
			seen.add(t - t0);
			(isLocal ? local : remote).add(t - t0);
		}
		const double allMs = seen.count() == n ? seen.maxMs() : -1;
		const double registerMs = answered ? static_cast<double>(answered - t0) / 1000 : -1;
		Json j;
		j.add("register_status", status).add("register_ms", registerMs).add("reached", seen.count())
			.add("first_ms", seen.percentileMs(0)).add("p50_ms", seen.percentileMs(50)).add("p99_ms", seen.percentileMs(99))
			.add("all_ms", allMs).add("all_after_201_ms", answered && allMs >= 0 ? allMs - registerMs : -1)
			.add("server_cpu_ms", serverCpuMs).add("bench_cpu_ms", clientCpuMs);
		if (clustered())
		{
			j.add("registered_on_node", origin)
				.add("local_connections", localCount).add("local_reached", local.count()).add("local_all_ms", local.count() == localCount ? local.maxMs() : -1)
				.add("remote_connections", remoteCount).add("remote_reached", remote.count())
				.add("remote_first_ms", remote.percentileMs(0)).add("remote_all_ms", remote.count() == remoteCount ? remote.maxMs() : -1);
			if (local.count() == localCount && localCount > 0) allLocal.add(static_cast<std::int64_t>(local.maxMs() * 1000));
			if (remote.count() == remoteCount && remoteCount > 0) allRemote.add(static_cast<std::int64_t>(remote.maxMs() * 1000));
		}
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
	result.add("connections", n).add("users", userCount).add("nodes", nodes).add("rounds", rounds)
		.add("median_all_ms", all.percentileMs(50)).add("median_all_after_201_ms", after201.percentileMs(50))
		.add("server", serverJson());
	summary = "fanout: usermsg reached all " + std::to_string(n) + " connections in " + fixed(all.percentileMs(50), 2)
		+ " ms median over " + std::to_string(all.count()) + "/" + std::to_string(_options.rounds) + " registrations (from the request; "
		+ fixed(after201.percentileMs(50), 2) + " ms after the 201)";
	if (clustered())
	{
		result.add("median_all_local_ms", allLocal.percentileMs(50)).add("median_all_remote_ms", allRemote.percentileMs(50));
		summary += "; " + std::to_string(nodes) + " nodes: all on the registering node in " + fixed(allLocal.percentileMs(50), 2)
			+ " ms, all on the others in " + fixed(allRemote.percentileMs(50), 2) + " ms (medians)";
	}
	closeAll();
	return ok;
}

// --- group-fanout -----------------------------------------------------------

HttpResponse Bench::call(std::size_t node, const std::string& request)
{
	HttpResponse answer;
	bool done = false;
	pickHttp(node).request(request, [&answer, &done](const HttpResponse& r) { answer = r; done = true; });
	const std::int64_t deadline = nowUs() + 30000000;
	while (!done && nowUs() < deadline) _loop.poll(10);
	if (!done) throw std::runtime_error("no answer within 30 s");
	return answer;
}

std::int64_t Bench::createGroup(const std::vector<User>& members)
{
	// The first member creates it with the next few; the rest are added in
	// batches (a request body stays small whatever the group's size).
	const std::size_t batch = 500;
	const User& creator = members.front();
	auto ids = [&members](std::size_t from, std::size_t to)
	{
		std::string list;
		for (std::size_t i = from; i < to; ++i) list += (list.empty() ? "" : ",") + std::to_string(members[i].id);
		return "[" + list + "]";
	};
	std::size_t added = std::min(members.size(), 1 + batch);
	const HttpResponse created = call(creator.node, HttpConn::build("POST", "/groups", creator.token, "application/json",
		"{\"name\":\"" + _options.prefix + "group\",\"memberIds\":" + ids(1, added) + "}"));
	if (created.status != 201) throw std::runtime_error("POST /groups: " + std::to_string(created.status) + " " + created.body.substr(0, 200));
	const std::int64_t groupId = std::atoll(jsonField(created.body, "id").c_str());
	while (added < members.size())
	{
		const std::size_t next = std::min(members.size(), added + batch);
		const HttpResponse answer = call(creator.node, HttpConn::build("POST", "/groups/" + std::to_string(groupId) + "/members",
			creator.token, "application/json", "{\"userIds\":" + ids(added, next) + "}"));
		if (answer.status != 200)
			throw std::runtime_error("POST /groups/{id}/members: " + std::to_string(answer.status) + " " + answer.body.substr(0, 200)
				+ " (a group this large needs --groups.max_members)");
		added = next;
	}
	return groupId;
}

bool Bench::runGroupFanout(Json& result, std::string& summary)
{
	// --users members, one connection each. Member 0 posts --rounds messages
	// to the group, one after the other: each round times the groupmsg frame
	// until it reached every member's connection (the sender's included).
	const std::size_t n = std::max<std::size_t>(2, _options.users);
	const std::size_t nodes = _nodes.size();
	_users = registerUsers(n, "g");
	const std::int64_t groupId = createGroup(_users);
	const std::size_t ready = connect(_users, n);
	if (ready != n) throw std::runtime_error("only " + std::to_string(ready) + " of " + std::to_string(n) + " connections ready; last close: " + _lastClose);
	pollFor(1);  // presence frames settle
	const User& sender = _users.front();
	std::vector<Json> rounds;
	Samples frames, all, after201, post;
	std::size_t delivered = 0;
	double deliverySeconds = 0;
	bool ok = true;
	const double serverCpu0 = serverCpuSeconds();
	_fanoutDuplicates = 0;
	for (std::size_t round = 0; round < _options.rounds; ++round)
	{
		_fanoutSeen.assign(_ws.size(), 0);
		_fanoutCount = 0;
		// The text names the round: "~g.<round>." is matched in the frame.
		_fanoutName = "~g." + std::to_string(round) + ".";
		std::string text = _fanoutName;
		if (text.size() < _options.size) text.append(_options.size - text.size(), 'x');
		std::int64_t answered = 0;
		int status = 0;
		const std::int64_t t0 = nowUs();
		pickHttp(sender.node).request(HttpConn::build("POST", "/post/togroup/" + std::to_string(groupId), sender.token,
				"application/x-www-form-urlencoded", "text=" + text),
			[&answered, &status](const HttpResponse& r) { answered = nowUs(); status = r.status; });
		const std::int64_t deadline = t0 + 30000000;
		while ((answered == 0 || _fanoutCount < n) && nowUs() < deadline) _loop.poll(1);
		Samples seen;
		std::int64_t last = t0;
		for (std::int64_t t: _fanoutSeen)
		{
			if (t == 0) continue;
			seen.add(t - t0);
			frames.add(t - t0);
			last = std::max(last, t);
		}
		delivered += seen.count();
		deliverySeconds += static_cast<double>(last - t0) / 1e6;
		const double allMs = seen.count() == n ? seen.maxMs() : -1;
		const double postMs = answered ? static_cast<double>(answered - t0) / 1000 : -1;
		Json j;
		j.add("post_status", status).add("post_ms", postMs).add("reached", seen.count())
			.add("first_ms", seen.percentileMs(0)).add("p50_ms", seen.percentileMs(50)).add("p99_ms", seen.percentileMs(99))
			.add("all_ms", allMs).add("all_after_201_ms", answered && allMs >= 0 ? allMs - postMs : -1);
		rounds.push_back(j);
		ok = ok && status == 201 && seen.count() == n;
		if (answered) post.add(answered - t0);
		if (seen.count() == n)
		{
			all.add(static_cast<std::int64_t>(allMs * 1000));
			after201.add(static_cast<std::int64_t>((allMs - postMs) * 1000));
		}
	}
	pollFor(0.2);  // a duplicate of the last round would arrive about now
	_fanoutName.clear();
	const double serverCpu = serverCpuSeconds() - serverCpu0;
	const double framesPerSecond = deliverySeconds > 0 ? static_cast<double>(delivered) / deliverySeconds : 0;
	result.add("members", n).add("nodes", nodes).add("rounds", rounds).add("delivered", delivered).add("duplicates", _fanoutDuplicates)
		.add("expected", n * _options.rounds).add("delivered_frames_per_second", framesPerSecond)
		.add("frame_latency_ms", frames.json()).add("post_latency_ms", post.json())
		.add("all_ms_p50", all.percentileMs(50)).add("all_ms_p99", all.percentileMs(99))
		.add("all_after_201_ms_p50", after201.percentileMs(50)).add("all_after_201_ms_p99", after201.percentileMs(99))
		.add("server_cpu_ms_per_message", _options.rounds ? 1e3 * serverCpu / static_cast<double>(_options.rounds) : 0)
		.add("server", serverJson());
	summary = "group-fanout: " + std::to_string(n) + " members, " + std::to_string(all.count()) + "/" + std::to_string(_options.rounds)
		+ " messages reached every connection; last connection " + fixed(all.percentileMs(50), 2) + " ms median, "
		+ fixed(all.percentileMs(99), 2) + " ms p99 from the POST (" + fixed(after201.percentileMs(99), 2) + " ms p99 after the 201); frames p50 "
		+ fixed(frames.percentileMs(50), 2) + " p99 " + fixed(frames.percentileMs(99), 2) + " ms; " + fixed(framesPerSecond, 0)
		+ " frames/s while delivering; server CPU " + fixed(_options.rounds ? 1e3 * serverCpu / static_cast<double>(_options.rounds) : 0, 1) + " ms per message; "
		+ std::to_string(_fanoutDuplicates) + " duplicates";
	closeAll();
	return ok && _fanoutDuplicates == 0;
}

// --- history ----------------------------------------------------------------

bool Bench::runHistory(Json& result, std::string& summary)
{
	// a and b on nodes 0 and 1 (with several): each posts through its own;
	// the reads are spread over every node's connections (any node answers).
	_users = registerUsers(2, "h");
	const User& a = _users[0];
	const User& b = _users[1];
	openHttp(std::max<std::size_t>(8, _options.httpConnections));
	std::size_t posted = 0, failed = 0;
	for (std::size_t i = 0; i < _options.historyMessages; ++i)
	{
		const User& from = i % 2 ? b : a;
		const User& to = i % 2 ? a : b;
		auto& pool = _nodes[from.node].pool;
		pool[(i / 2) % pool.size()]->request(HttpConn::build("POST", "/post/touser/" + std::to_string(to.id), from.token,
				"application/x-www-form-urlencoded", "text=history+message+" + std::to_string(i)),
			[&posted, &failed](const HttpResponse& r) { ++(r.status == 201 ? posted : failed); });
	}
	const std::int64_t fillDeadline = nowUs() + 120000000;
	while (posted + failed < _options.historyMessages && nowUs() < fillDeadline) _loop.poll(10);
	if (posted != _options.historyMessages) throw std::runtime_error("history: only " + std::to_string(posted) + " messages stored");

	const std::string request = HttpConn::build("GET", "/messages/from/" + std::to_string(b.id), a.token);
	const std::size_t expected = _options.historyMessages;
	ClosedLoop loop = closedLoop(request, [expected](const std::string& body)
	{
		std::size_t count = 0;
		for (auto at = body.find("\"fromUserId\""); at != std::string::npos; at = body.find("\"fromUserId\"", at + 1)) ++count;
		return count == expected;
	});
	const std::size_t answers = loop.answers, errors = loop.errors, wrongCount = loop.wrong, bytes = loop.bytes;
	const std::vector<std::size_t>& answersAt = loop.answersAt;
	const std::map<std::string, std::size_t>& errorKinds = loop.errorKinds;
	Samples& latency = loop.latency;
	const double seconds = loop.seconds;
	const double serverCpu = loop.serverCpu;
	const double rps = static_cast<double>(answers) / seconds;
	Json errorJson;
	for (const auto& e: errorKinds) errorJson.add(e.first, e.second);
	result.add("error_kinds", errorJson);
	if (clustered())
	{
		std::vector<Json> perNode;
		for (std::size_t k = 0; k < _nodes.size(); ++k)
		{
			Json j;
			j.add("node", k).add("http_connections", _nodes[k].pool.size()).add("answers", answersAt[k])
				.add("requests_per_second", static_cast<double>(answersAt[k]) / seconds);
			perNode.push_back(j);
		}
		result.add("per_node", perNode);
	}
	result.add("messages", _options.historyMessages).add("nodes", _nodes.size()).add("http_connections", httpConnectionCount()).add("seconds", seconds)
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
	if (clustered())
	{
		summary += "; per node";
		for (std::size_t k = 0; k < _nodes.size(); ++k) summary += (k ? ", " : " ") + fixed(static_cast<double>(answersAt[k]) / seconds, 0) + " requests/s";
	}
	// Let answers in flight land on live connections before they are closed.
	closeAll();
	return answers > 0 && errors == 0 && wrongCount == 0;
}

Bench::ClosedLoop Bench::closedLoop(const std::string& request, const std::function<bool(const std::string& body)>& check)
{
	ClosedLoop loop;
	loop.answersAt.assign(_nodes.size(), 0);
	bool running = true;
	std::function<void(HttpConn&, std::size_t)> ask;
	ask = [&](HttpConn& conn, std::size_t node)
	{
		const std::int64_t t0 = nowUs();
		conn.request(request, [&, t0, node, c = &conn](const HttpResponse& r)
		{
			if (!running) return;
			loop.latency.add(nowUs() - t0);
			if (r.status != 200)
			{
				++loop.errors;
				++loop.errorKinds[r.status ? "HTTP " + std::to_string(r.status) + " " + r.body.substr(0, 200) : "connection lost"];
			}
			else
			{
				++loop.answers;
				++loop.answersAt[node];
				loop.bytes += r.body.size();
				if (!check(r.body)) ++loop.wrong;
			}
			ask(*c, node);
		});
	};
	const double serverCpu0 = serverCpuSeconds();
	const std::int64_t start = nowUs();
	for (std::size_t k = 0; k < _nodes.size(); ++k)
		for (auto& conn: _nodes[k].pool) ask(*conn, k);
	pollFor(_options.duration);
	running = false;
	loop.seconds = static_cast<double>(nowUs() - start) / 1e6;
	loop.serverCpu = serverCpuSeconds() - serverCpu0;
	return loop;
}

// --- conversations --------------------------------------------------------

bool Bench::runConversations(Json& result, std::string& summary)
{
	if (_options.database.empty()) throw std::runtime_error("conversations: --database=FILE (palaverd's SQLite file) is needed");
	if (_options.chats == 0) throw std::runtime_error("conversations: --chats must be positive");
	// The reader (the lowest id), then one user per chat: their ids follow
	// each other on a fresh server (registered in any order).
	_users = registerUsers(_options.chats + 1, "cv");
	std::sort(_users.begin(), _users.end(), [](const User& a, const User& b) { return a.id < b.id; });
	const User& reader = _users[0];
	const std::int64_t first = reader.id + 1;
	for (std::size_t i = 1; i < _users.size(); ++i)
	{
		if (_users[i].id != reader.id + static_cast<std::int64_t>(i))
			throw std::runtime_error("conversations: the users' ids do not follow each other (start palaverd on an empty database)");
	}
	// The messages go straight into the file (palaverd keeps serving: WAL),
	// one INSERT of a counter: message i is in chat i % chats, both ways.
	const std::string r = std::to_string(reader.id);
	const std::string other = "(" + std::to_string(first) + " + i % " + std::to_string(_options.chats) + ")";
	const std::string sqlFile = _options.database + ".bench-fill.sql";
	{
		std::ofstream sql(sqlFile);
		sql << ".timeout 60000\n"
			"INSERT INTO messages (from_user_id, to_user_id, user_lo, user_hi, from_user_name, text, created_at) "
			"WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < " << _options.storedMessages << " - 1) "
			"SELECT CASE WHEN i % 2 THEN " << r << " ELSE " << other << " END, CASE WHEN i % 2 THEN " << other << " ELSE " << r << " END, "
			"min(" << r << ", " << other << "), max(" << r << ", " << other << "), 'cv', 'stored message ' || i, "
			<< nowUs() << " FROM n;\n"
			// The chat list reads the partners from here (the writer adds a
			// chat's two rows with its first message).
			"INSERT INTO chat_partners (user_id, partner_id) SELECT DISTINCT user_lo, user_hi FROM messages WHERE user_lo = " << r << " "
			"ON CONFLICT DO NOTHING;\n"
			"INSERT INTO chat_partners (user_id, partner_id) SELECT DISTINCT user_hi, user_lo FROM messages WHERE user_lo = " << r << " "
			"ON CONFLICT DO NOTHING;\n"
			"PRAGMA wal_checkpoint(TRUNCATE);\n";
	}
	const std::int64_t fillStart = nowUs();
	const int status = std::system(("sqlite3 '" + _options.database + "' < '" + sqlFile + "'").c_str());
	std::remove(sqlFile.c_str());
	if (status != 0) throw std::runtime_error("conversations: sqlite3 could not fill " + _options.database);
	const double fillSeconds = static_cast<double>(nowUs() - fillStart) / 1e6;

	// Fresh connections: palaverd's keep-alive time-out may have closed those idle through the fill.
	closeAll();
	openHttp(_options.httpConnections);
	const std::string request = HttpConn::build("GET", "/conversations", reader.token);
	// A page: the 50 most recent chats.
	const std::size_t page = std::min<std::size_t>(50, _options.chats);
	ClosedLoop loop = closedLoop(request, [page](const std::string& body)
	{
		std::size_t count = 0;
		for (auto at = body.find("\"kind\":\"direct\""); at != std::string::npos; at = body.find("\"kind\":\"direct\"", at + 1)) ++count;
		return count == page;
	});
	const double rps = static_cast<double>(loop.answers) / loop.seconds;
	Json errorJson;
	for (const auto& e: loop.errorKinds) errorJson.add(e.first, e.second);
	result.add("chats", _options.chats).add("stored_messages", _options.storedMessages).add("fill_seconds", fillSeconds)
		.add("http_connections", httpConnectionCount()).add("seconds", loop.seconds)
		.add("answers", loop.answers).add("errors", loop.errors).add("error_kinds", errorJson).add("wrong_answers", loop.wrong)
		.add("requests_per_second", rps).add("latency_ms", loop.latency.json())
		.add("server_cpu_ms_per_request", loop.answers ? 1e3 * loop.serverCpu / static_cast<double>(loop.answers) : 0)
		.add("server", serverJson());
	summary = "conversations: GET /conversations of a user with " + std::to_string(_options.chats) + " chats and "
		+ std::to_string(_options.storedMessages) + " messages: " + fixed(rps, 0) + " requests/s, p50 " + fixed(loop.latency.percentileMs(50), 2)
		+ " p99 " + fixed(loop.latency.percentileMs(99), 2) + " ms, server CPU " + fixed(loop.answers ? 1e3 * loop.serverCpu / static_cast<double>(loop.answers) : 0, 2)
		+ " ms/request, " + std::to_string(loop.errors) + " errors, " + std::to_string(loop.wrong) + " wrong answers";
	closeAll();
	return loop.answers > 0 && loop.errors == 0 && loop.wrong == 0;
}

} } // namespace Palaver::Bench
