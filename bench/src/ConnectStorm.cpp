//
// ConnectStorm.cpp
//
// The connect-storm scenario (issue 14): --users users, each with a direct
// chat with its two neighbours (user i wrote to user i+1, a ring), connect
// one connection each at --connect-rate per second, open loop. Reports the
// time until all are ready and the frames the server sent meanwhile
// (palaver_ws_frames_out_total), presence frames among those received: with
// [ws] presence_scope = conversations they grow with the users (a few per
// user), with all with users x connections.
//

#include "Scenarios.h"
#include <algorithm>
#include <stdexcept>

namespace Palaver {
namespace Bench {

namespace {

const char* const FRAMES_OUT = "palaver_ws_frames_out_total";

} // namespace

bool Bench::runConnectStorm(Json& result, std::string& summary)
{
	const std::size_t n = std::max<std::size_t>(1, _options.users);
	const std::vector<User> users = registerUsers(n, "s");
	// The ring of direct chats, written before anyone connects (no live frames).
	openHttp(_options.httpConnections);
	std::size_t answered = 0, failed = 0;
	const std::size_t chats = n > 1 ? n : 0;
	for (std::size_t i = 0; i < chats; ++i)
	{
		const User& from = users[i];
		const User& to = users[(i + 1) % n];
		pickHttp(from.node).request(
			HttpConn::build("POST", "/post/touser/" + std::to_string(to.id), from.token, "application/x-www-form-urlencoded", "text=ring"),
			[&answered, &failed](const HttpResponse& r) { ++answered; if (r.status != 201) ++failed; });
		if (i % 256 == 255) _loop.poll(0);
	}
	const std::int64_t chatDeadline = nowUs() + static_cast<std::int64_t>(60e6 + 10e3 * static_cast<double>(chats));
	while (answered < chats && nowUs() < chatDeadline) _loop.poll(10);
	if (answered < chats || failed > 0)
		throw std::runtime_error("ring of chats: " + std::to_string(chats - answered + failed) + " of " + std::to_string(chats) + " failed");
	closeAll();
	pollFor(1);

	auto framesOut = [this]()
	{
		double sum = 0;
		for (std::size_t k = 0; k < _nodes.size(); ++k) sum += fetchMetrics(k)[FRAMES_OUT];
		return sum;
	};
	const double framesBefore = framesOut();
	const double cpuBefore = serverCpuSeconds();
	_framesIn = 0;
	_presenceIn = 0;
	_presenceOf.assign(n, 0);
	const std::size_t closedBefore = _closed;
	std::size_t created = 0;
	std::int64_t maxLagUs = 0;
	std::int64_t allReadyUs = 0;
	const std::int64_t t0 = nowUs();
	const std::int64_t deadline = t0 + static_cast<std::int64_t>((static_cast<double>(n) / _options.connectRate + 60) * 1e6);
	while (nowUs() < deadline)
	{
		const std::int64_t now = nowUs();
		while (created < n)
		{
			const std::int64_t due = t0 + static_cast<std::int64_t>(static_cast<double>(created) * 1e6 / _options.connectRate);
			if (due > now) break;
			maxLagUs = std::max(maxLagUs, now - due);
			const User& user = users[created];
			const Node& node = _nodes[user.node];
			auto conn = std::make_unique<WsConn>(_loop, node.ws, created, user.token, *this, node.wsPath);
			conn->userId = user.id;
			conn->node = user.node;
			_ws.push_back(std::move(conn));
			++created;
		}
		if (_ready >= n)
		{
			allReadyUs = nowUs();
			break;
		}
		if (created == n && _ready + (_closed - closedBefore) >= n) break;
		_loop.poll(1);
	}
	const double readySeconds = allReadyUs > 0 ? static_cast<double>(allReadyUs - t0) / 1e6 : -1;
	// The presence frames still under way settle: 2 s without a frame (60 s at most).
	const std::int64_t settleDeadline = nowUs() + 60000000;
	while (nowUs() < settleDeadline && nowUs() - _lastFrameUs < 2000000) _loop.poll(50);
	const double cpu = serverCpuSeconds() - cpuBefore;
	const double framesSent = framesOut() - framesBefore;
	std::size_t withoutOwn = 0;
	std::uint32_t mostPresence = 0;
	for (std::uint32_t count: _presenceOf)
	{
		if (count == 0) ++withoutOwn;
		mostPresence = std::max(mostPresence, count);
	}
	const std::size_t ready = _ready;
	const double perUser = static_cast<double>(_presenceIn) / static_cast<double>(n);
	result.add("users", n).add("connections", n).add("partners_per_user", n > 2 ? 2 : static_cast<std::size_t>(n - 1))
		.add("connect_rate", _options.connectRate).add("ready", ready).add("closed", _closed - closedBefore)
		.add("seconds_to_all_ready", readySeconds).add("connect_lag_max_ms", static_cast<double>(maxLagUs) / 1e3)
		.add("server_frames_sent", static_cast<std::int64_t>(framesSent))
		.add("server_frames_sent_per_user", framesSent / static_cast<double>(n))
		.add("frames_received", _framesIn).add("presence_frames_received", _presenceIn)
		.add("presence_frames_per_user", perUser).add("presence_frames_most_on_one_connection", static_cast<std::size_t>(mostPresence))
		.add("connections_without_presence", withoutOwn)
		.add("server_cpu_seconds", cpu).add("server", serverJson());
	summary = "connect-storm: " + std::to_string(ready) + "/" + std::to_string(n) + " ready in " + fixed(readySeconds, 2)
		+ " s at " + fixed(_options.connectRate, 0) + "/s; server sent " + std::to_string(static_cast<std::int64_t>(framesSent))
		+ " frames (" + fixed(framesSent / static_cast<double>(n), 1) + " per user), " + std::to_string(_presenceIn)
		+ " presence received (" + fixed(perUser, 1) + " per user, at most " + std::to_string(mostPresence)
		+ " on one connection); server CPU " + fixed(cpu, 2) + " s";
	closeAll();
	// Each connection was ready and got at least its own presence.
	return ready == n && withoutOwn == 0;
}

} } // namespace Palaver::Bench
