#!/usr/bin/env bash
# Runs palaver-bench scenarios, each against a palaverd of its own: the
# in-tree configuration, a temporary state folder, free loopback ports, no
# access log. Writes <results-dir>/<scenario>.json and summary.txt.
#
#   bench/run.sh                 the standard set (make bench), < 10 minutes
#   bench/run.sh --smoke         every scenario at tiny scale, checking counts only
#   bench/run.sh --only chat-ws  one scenario of the standard set
#   options: --build-dir DIR (default: build), --results-dir DIR (default:
#   bench/results), --repeat N (fixed-rate scenarios N times, for medians; default 3),
#   --profile (perf record of palaverd during each scenario, if perf works),
#   --server-arg --section.key=value (repeatable: added to every palaverd),
#   --bench-arg --option=value (repeatable: added to every palaver-bench run)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(dirname "$here")
build_dir=$source_dir/build
results_dir=$here/results
mode=standard
only=
repeat=3
profile=false
extra_server=()
extra_bench=()
while [ $# -gt 0 ]; do
	case $1 in
		--smoke) mode=smoke ;;
		--build-dir) build_dir=$2; shift ;;
		--results-dir) results_dir=$2; shift ;;
		--only) only=$2; shift ;;
		--repeat) repeat=$2; shift ;;
		--profile) profile=true ;;
		--server-arg) extra_server+=("$2"); shift ;;
		--bench-arg) extra_bench+=("$2"); shift ;;
		*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
palaverd=$build_dir/bin/palaverd
bench=$build_dir/bin/palaver-bench
for f in "$palaverd" "$bench"; do
	[ -x "$f" ] || { echo "run.sh: $f is missing (build it first)" >&2; exit 2; }
done
mkdir -p "$results_dir"
# Both ends need a descriptor per connection.
ulimit -n "$(ulimit -Hn)"

server_pid=
state_dir=
perf_pid=
cleanup() {
	if [ -n "$perf_pid" ]; then kill -INT "$perf_pid" 2>/dev/null || true; wait "$perf_pid" 2>/dev/null || true; fi
	if [ -n "$server_pid" ]; then
		kill -TERM "$server_pid" 2>/dev/null || true
		for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	[ -n "$state_dir" ] && rm -rf "$state_dir"
	server_pid= state_dir= perf_pid=
}
trap cleanup EXIT

free_port() {
	local port
	for _ in $(seq 1 100); do
		port=$((20000 + RANDOM % 12000))
		if [ -z "$(ss -Htln "sport = :$port")" ]; then echo "$port"; return; fi
	done
	echo "run.sh: no free port" >&2; exit 1
}

# healthy <port>: GET /health answers 200 (bash's /dev/tcp: no curl needed).
healthy() {
	local reply=
	{ exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
	printf 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
	read -r -t 2 reply <&3 || true
	exec 3<&- 3>&-
	[[ "$reply" == "HTTP/1.1 200"* ]]
}

# start_server [--section.key=value ...]: sets server_pid, http_port, ws_port.
start_server() {
	state_dir=$(mktemp -d /tmp/palaver-bench.XXXXXX)
	http_port=$(free_port)
	ws_port=$(free_port)
	while [ "$ws_port" = "$http_port" ]; do ws_port=$(free_port); done
	# Registration hashes passwords with argon2id; the bench registers
	# thousands of users, so it uses libsodium's minimum cost (never in production).
	"$palaverd" --config="$source_dir/config/palaver.ini" \
		--plugins.config_dir="$source_dir/plugins.d" \
		--plugins.directory="$build_dir/lib/palaver" \
		--server.state_dir="$state_dir" \
		--http.address=127.0.0.1 --http.port="$http_port" --http.access_log=false \
		--ws.address=127.0.0.1 --ws.port="$ws_port" \
		--auth.password_opslimit=1 --auth.password_memlimit=8192 \
		--logging.level=warning \
		"$@" ${extra_server[@]+"${extra_server[@]}"} >"$state_dir/palaverd.log" 2>&1 &
	server_pid=$!
	for _ in $(seq 1 200); do
		if healthy "$http_port"; then
			# palaverd binds with SO_REUSEPORT: a port taken meanwhile by
			# another palaverd would silently share the load. Start again.
			if [ "$(ss -Htln "sport = :$http_port or sport = :$ws_port" | wc -l)" -ne 2 ]; then
				echo "run.sh: port $http_port or $ws_port is shared; restarting on others" >&2
				local args=("$@")
				cleanup
				start_server ${args[@]+"${args[@]}"}
				return 0
			fi
			if $profile; then
				perf record -e cpu-clock -F 499 -g -p "$server_pid" -o "$results_dir/$name.perf.data" >/dev/null 2>&1 &
				perf_pid=$!
			fi
			return 0
		fi
		kill -0 "$server_pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "run.sh: palaverd did not start:" >&2
	tail -20 "$state_dir/palaverd.log" >&2
	exit 1
}

failures=0
# scenario <name> <server arguments...> -- <bench arguments...>
scenario() {
	name=$1; shift
	if [ -n "$only" ] && [ "${name%%.*}" != "$only" ] && [ "$name" != "$only" ]; then return 0; fi
	local server_args=()
	while [ "$1" != "--" ]; do server_args+=("$1"); shift; done
	shift
	start_server ${server_args[@]+"${server_args[@]}"}
	local scenario=${name%%.*}
	for variant in -sweep -sync-off -workers32 -nopresence -distinct; do scenario=${scenario%$variant}; done
	echo "== $name" | tee -a "$results_dir/summary.txt"
	if ! "$bench" "$scenario" --http-port="$http_port" --ws-port="$ws_port" --server-pid="$server_pid" \
			--output="$results_dir/$name.json" "$@" ${extra_bench[@]+"${extra_bench[@]}"} | tee -a "$results_dir/summary.txt"; then
		failures=$((failures + 1))
		echo "run.sh: $name failed; palaverd said:" >&2
		tail -20 "$state_dir/palaverd.log" >&2
	fi
	cleanup
	if $profile && [ -f "$results_dir/$name.perf.data" ]; then
		perf report -i "$results_dir/$name.perf.data" --no-children -g none --sort dso,sym --stdio 2>/dev/null \
			| grep -v '^#' | grep -v '^$' | head -40 >"$results_dir/$name.perf.txt" || true
	fi
}

: >"$results_dir/summary.txt"
{
	echo "# $(date -u +%FT%TZ) $(uname -r), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
} >>"$results_dir/summary.txt"

# Chat frames over the socket are rate limited per user (50/s by default);
# the chat-ws scenario sends far more per user.
ws_unlimited=(--ws.rate_limit=1000000 --ws.rate_burst=1000000)

if [ "$mode" = smoke ]; then
	scenario idle -- --connections=40 --users=4 --idle-interval=0.5 --check
	scenario chat-http -- --users=4 --rate=200 --duration=1 --http-connections=4 --check
	scenario chat-ws "${ws_unlimited[@]}" -- --users=4 --rate=200 --duration=1 --check
	scenario fanout -- --connections=30 --users=3 --rounds=2 --check
	scenario history -- --history-messages=50 --duration=0.5 --http-connections=2 --check
	scenario chat-ws-sweep "${ws_unlimited[@]}" -- --users=4 --rate=100 --duration=0.5 --sweep --sweep-steps=2 --check
else
	# Connections at most what RLIMIT_NOFILE lets each end hold (50,000 is the goal).
	idle_n=$(( $(ulimit -n) - 200 )); [ "$idle_n" -gt 50000 ] && idle_n=50000
	scenario idle -- --connections="$idle_n" --users=100 --idle-interval=10
	# One connection per user, as after a restart when every client reconnects:
	# each first connection of a user broadcasts presence to all the others.
	scenario idle-distinct -- --connections=8000 --users=8000 --idle-interval=3
	scenario idle-distinct-nopresence --ws.presence=false -- --connections=8000 --users=8000 --idle-interval=3
	scenario fanout -- --connections=10000 --users=100 --rounds=5
	# Side by side, repeated (the machine is shared: compare within a run,
	# take medians): the shipped configuration, and next to it what changes
	# one limit: [ws] workers (each blocks in MessageStore::post until its
	# message is committed) and [database] synchronous (durability).
	for i in $(seq 1 "$repeat"); do
		scenario "chat-http.$i" -- --users=100 --rate=10000 --duration=5 --drain=5 --http-connections=32
		scenario "chat-http-sync-off.$i" --database.synchronous=OFF -- --users=100 --rate=10000 --duration=5 --drain=5 --http-connections=32
		scenario "chat-ws.$i" "${ws_unlimited[@]}" -- --users=100 --rate=30000 --duration=5 --drain=5
		scenario "chat-ws-workers32.$i" "${ws_unlimited[@]}" --ws.workers=32 -- --users=100 --rate=30000 --duration=5 --drain=5
		scenario "history.$i" -- --history-messages=1000 --duration=5 --http-connections=8
	done
	scenario chat-http-sweep -- --users=100 --rate=1000 --sweep --duration=5 --drain=3 --http-connections=32
	scenario chat-ws-sweep "${ws_unlimited[@]}" --ws.workers=32 -- --users=100 --rate=1000 --sweep --duration=5 --drain=3
fi
echo "results: $results_dir (summary.txt, *.json)"
[ "$failures" -eq 0 ] || { echo "run.sh: $failures scenario(s) failed" >&2; exit 1; }
