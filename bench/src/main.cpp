//
// main.cpp
//
// palaver-bench: load generator for palaverd. See bench/README.md.
//

#include "HttpConn.h"
#include "Net.h"
#include "Scenarios.h"
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>
#include <sys/utsname.h>
#include <unistd.h>

using namespace Palaver::Bench;

namespace {

const char* const kUsage =
	"usage: palaver-bench <idle|idle-http|chat-http|chat-ws|fanout|group-fanout|history|search|conversations|connect-storm|uploads|uploads-chat> [--option=value ...]\n"
	"  --host=127.0.0.1 --http-port=8080 --ws-port=9000   where palaverd listens\n"
	"  --server-pid=PID         read palaverd's RSS, threads and CPU from /proc\n"
	"  --server=HOST:HTTP_PORT[:WS_PORT]  a node of a cluster (repeatable, or a comma list);\n"
	"                           user i and its sockets and sends go to node i % nodes; no WS_PORT:\n"
	"                           WebSockets on the HTTP port's /ws; --server-pid=PID,PID,... in the same order\n"
	"  --connections=1000       idle, fanout: WebSocket connections; idle-http: keep-alive HTTP connections\n"
	"  --users=100              users (chat: one connection each; idle, fanout: connections spread over them;\n"
	"                           group-fanout: the group's members, one connection each)\n"
	"  --rate=1000              chat: messages per second, open loop\n"
	"  --duration=10            chat, history, search: seconds\n"
	"  --http-connections=32    chat-http, history, search: keep-alive connections\n"
	"  --size=64                chat, group-fanout: message text length\n"
	"  --sweep                  chat: raise the rate by --sweep-factor=1.5 (at most --sweep-steps=8)\n"
	"                           until the delivery ratio or --p99-max=25 ms breaks\n"
	"  --idle-interval=10       idle, idle-http: seconds over which the server's CPU is measured\n"
	"  --rounds=5               fanout: registrations; group-fanout: messages posted to the group\n"
	"  --history-messages=1000  history: conversation length\n"
	"  --search-p99-max=50      search: the goal the p99 is reported against (ms)\n"
	"  --chats=500              conversations: the reader's direct chats\n"
	"  --stored-messages=1000000  conversations: messages written into --database\n"
	"  --database=FILE          conversations: palaverd's SQLite file (filled with sqlite3 while it runs)\n"
	"  --per-source=4000        connections per source address 127.0.0.x (x from 2)\n"
	"  --connect-in-flight=256  handshakes under way at once\n"
	"  --connect-rate=1000      connect-storm: connections opened per second (open loop; --users users, one each)\n"
	"  --photo=FILE             uploads, uploads-chat: the JPEG posted to /attachments (palaver-bench-photo makes one)\n"
	"  --drain=10               chat: seconds to wait for the last deliveries\n"
	"  --prefix=NAME            user name prefix (default: unique per run)\n"
	"  --output=FILE            write the JSON result there (default: stdout)\n"
	"  --check                  exit 1 unless every count is complete (smoke tests)\n"
	"  --quickack               HTTP: TCP_QUICKACK after every read (diagnoses Nagle/delayed-ACK stalls)\n";

std::vector<std::string> splitCommas(const std::string& value)
{
	std::vector<std::string> parts;
	std::string::size_type at = 0;
	for (std::string::size_type comma; (comma = value.find(',', at)) != std::string::npos; at = comma + 1)
		parts.push_back(value.substr(at, comma - at));
	parts.push_back(value.substr(at));
	return parts;
}

std::string machine()
{
	utsname u{};
	::uname(&u);
	return std::string(u.sysname) + " " + u.release + " " + u.machine + ", " + std::to_string(::sysconf(_SC_NPROCESSORS_ONLN)) + " CPUs";
}

}

int main(int argc, char** argv)
{
	if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h")
	{
		std::cerr << kUsage;
		return argc < 2 ? 2 : 0;
	}
	::signal(SIGPIPE, SIG_IGN);
	Options o;
	o.scenario = argv[1];
	std::vector<std::string> pids;
	std::string command = "palaver-bench";
	for (int i = 1; i < argc; ++i) command += std::string(" ") + argv[i];
	try
	{
		for (int i = 2; i < argc; ++i)
		{
			std::string arg = argv[i];
			if (arg.compare(0, 2, "--") != 0) throw std::invalid_argument("not an option: " + arg);
			const auto eq = arg.find('=');
			const std::string key = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
			const std::string value = eq == std::string::npos ? "" : arg.substr(eq + 1);
			auto number = [&]() { if (value.empty()) throw std::invalid_argument("--" + key + " needs a value"); return std::stod(value); };
			auto count = [&]() { const double v = number(); if (v < 0) throw std::invalid_argument("--" + key + " must not be negative"); return static_cast<std::size_t>(v); };
			if (key == "host") o.host = value;
			else if (key == "http-port") o.httpPort = static_cast<std::uint16_t>(count());
			else if (key == "ws-port") o.wsPort = static_cast<std::uint16_t>(count());
			else if (key == "server-pid")
			{
				pids = splitCommas(value);
				for (const auto& pid: pids)
					if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) throw std::invalid_argument("--server-pid: bad pid " + pid);
				o.serverPid = std::stoi(pids[0]);
			}
			else if (key == "server")
			{
				for (const auto& server: splitCommas(value)) o.servers.push_back(parseServer(server));
			}
			else if (key == "connections") o.connections = count();
			else if (key == "users") o.users = count();
			else if (key == "rate") o.rate = number();
			else if (key == "duration") o.duration = number();
			else if (key == "http-connections") o.httpConnections = std::max<std::size_t>(1, count());
			else if (key == "size") o.size = count();
			else if (key == "sweep") o.sweep = true;
			else if (key == "sweep-factor") o.sweepFactor = number();
			else if (key == "sweep-steps") o.sweepSteps = count();
			else if (key == "p99-max") o.p99Max = number();
			else if (key == "idle-interval") o.idleInterval = number();
			else if (key == "rounds") o.rounds = count();
			else if (key == "history-messages") o.historyMessages = count();
			else if (key == "search-p99-max") o.searchP99Max = number();
			else if (key == "chats") o.chats = count();
			else if (key == "stored-messages") o.storedMessages = count();
			else if (key == "database") o.database = value;
			else if (key == "photo") o.photo = value;
			else if (key == "per-source") o.perSource = count();
			else if (key == "connect-rate") o.connectRate = number();
			else if (key == "connect-in-flight") o.connectInFlight = std::max<std::size_t>(1, count());
			else if (key == "drain") o.drain = number();
			else if (key == "prefix") o.prefix = value;
			else if (key == "output") o.output = value;
			else if (key == "check") o.check = true;
			else if (key == "quickack") HttpConn::quickAck = true;
			else throw std::invalid_argument("unknown option --" + key);
		}
		if (o.rate <= 0 || o.duration <= 0) throw std::invalid_argument("--rate and --duration must be positive");
		if (!o.servers.empty())
		{
			if (pids.size() > 1 && pids.size() != o.servers.size()) throw std::invalid_argument("--server-pid needs one pid per --server");
			for (std::size_t i = 0; i < pids.size() && i < o.servers.size(); ++i) o.servers[i].pid = std::stoi(pids[i]);
		}
		else if (pids.size() > 1) throw std::invalid_argument("several --server-pid values need as many --server");
		if (o.connectRate <= 0) throw std::invalid_argument("--connect-rate must be positive");
		if (o.sweepFactor <= 1) throw std::invalid_argument("--sweep-factor must be above 1");
	}
	catch (const std::exception& e)
	{
		std::cerr << "palaver-bench: " << e.what() << "\n" << kUsage;
		return 2;
	}

	const std::size_t files = raiseFileLimit();
	if (o.connections + 64 > files && (o.scenario == "idle" || o.scenario == "idle-http" || o.scenario == "fanout"))
	{
		std::cerr << "palaver-bench: --connections=" << o.connections << " needs more than RLIMIT_NOFILE " << files << " allows\n";
		return 2;
	}
	if (o.users + 64 > files && (o.scenario == "group-fanout" || o.scenario == "connect-storm"))
	{
		std::cerr << "palaver-bench: --users=" << o.users << " needs more than RLIMIT_NOFILE " << files << " allows\n";
		return 2;
	}

	Json result;
	std::string summary;
	bool ok = false;
	try
	{
		Bench bench(o);
		ok = bench.run(result, summary);
	}
	catch (const std::exception& e)
	{
		result.add("error", e.what());
		summary = o.scenario + ": FAILED: " + e.what();
	}
	const std::time_t now = std::time(nullptr);
	char when[32];
	std::strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
	result.add("ok", ok).add("command", command).add("machine", machine()).add("time", when).add("summary", summary);
	if (o.output.empty()) std::cout << result.str() << std::endl;
	else
	{
		std::ofstream out(o.output);
		out << result.str() << "\n";
		if (!out) std::cerr << "palaver-bench: cannot write " << o.output << "\n";
	}
	// The chat scenarios printed a line per phase as they went.
	if ((o.scenario != "chat-http" && o.scenario != "chat-ws") || summary.find("FAILED") != std::string::npos)
		std::cout << summary << std::endl;
	if (!ok) std::cerr << "palaver-bench: " << o.scenario << ": counts incomplete (see the JSON)\n";
	return (o.check && !ok) || result.str().find("\"error\"") != std::string::npos ? 1 : 0;
}
