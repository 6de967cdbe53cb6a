#!/usr/bin/env bash
# Runs palaver-bench scenarios, each against a palaverd of its own: the
# in-tree configuration, a temporary state folder, free loopback ports, no
# access log. Writes <results-dir>/<scenario>.json and summary.txt.
#
#   bench/run.sh                 the standard set (make bench), < 10 minutes
#   bench/run.sh --smoke         every scenario at tiny scale, checking counts only
#   bench/run.sh --only chat-ws  one scenario of the standard set
#   bench/run.sh --nodes 1,2     the cluster set (make bench-cluster): a throw-away
#                                PostgreSQL and Redis, each scenario once on 1 node
#                                (PostgreSQL, bus local) and once on 2 nodes (the same
#                                PostgreSQL + Redis), alternating; --cluster = --nodes 1,2
#   bench/run.sh --smoke --nodes 2   every scenario at tiny scale over two nodes
#   options: --build-dir DIR (default: build), --results-dir DIR (default:
#   bench/results), --repeat N (fixed-rate scenarios N times, for medians; default 3),
#   --profile (perf record of palaverd during each scenario, if perf works),
#   --server-arg --section.key=value (repeatable: added to every palaverd),
#   --bench-arg --option=value (repeatable: added to every palaver-bench run),
#   --bench FILE (the palaver-bench to run, default BUILD_DIR/bin/palaver-bench:
#   a newer bench's scenario against an older build's palaverd)
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
bench_override=
# Node counts of the cluster mode (empty: one palaverd on SQLite, as always).
node_counts=()
while [ $# -gt 0 ]; do
	case $1 in
		--smoke) mode=smoke ;;
		--nodes) IFS=, read -r -a node_counts <<<"$2"; shift ;;
		--cluster) node_counts=(1 2) ;;
		--build-dir) build_dir=$2; shift ;;
		--results-dir) results_dir=$2; shift ;;
		--only) only=$2; shift ;;
		--repeat) repeat=$2; shift ;;
		--profile) profile=true ;;
		--server-arg) extra_server+=("$2"); shift ;;
		--bench-arg) extra_bench+=("$2"); shift ;;
		--bench) bench_override=$2; shift ;;
		*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
for n in ${node_counts[@]+"${node_counts[@]}"}; do
	[[ "$n" =~ ^[1-9][0-9]?$ ]] || { echo "run.sh: --nodes takes counts like 2 or 1,2, not $n" >&2; exit 2; }
done
palaverd=$build_dir/bin/palaverd
bench=${bench_override:-$build_dir/bin/palaver-bench}
for f in "$palaverd" "$bench"; do
	[ -x "$f" ] || { echo "run.sh: $f is missing (build it first)" >&2; exit 2; }
done
mkdir -p "$results_dir"
# Both ends need a descriptor per connection.
ulimit -n "$(ulimit -Hn)"

# The palaverds of the current scenario (one, or the nodes of a cluster).
server_pids=()
state_dirs=()
http_ports=()
ws_ports=()
perf_pid=
services_dir=
database=
stop_servers() {
	if [ -n "$perf_pid" ]; then kill -INT "$perf_pid" 2>/dev/null || true; wait "$perf_pid" 2>/dev/null || true; fi
	local pid
	for pid in ${server_pids[@]+"${server_pids[@]}"}; do kill -TERM "$pid" 2>/dev/null || true; done
	for pid in ${server_pids[@]+"${server_pids[@]}"}; do
		for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	local dir
	for dir in ${state_dirs[@]+"${state_dirs[@]}"}; do rm -rf "$dir"; done
	if [ -n "$database" ]; then drop_database "$database"; fi
	server_pids=() state_dirs=() http_ports=() ws_ports=() perf_pid= database=
}
cleanup() {
	stop_servers
	if [ -n "$services_dir" ]; then
		"$services" redis-stop "$services_dir" >/dev/null 2>&1 || true
		"$services" pg-destroy "$services_dir" >/dev/null 2>&1 || true
		rm -rf "$services_dir"
		services_dir=
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
	local port
	for _ in $(seq 1 100); do
		port=$((20000 + RANDOM % 12000))
		if [ -z "$(ss -Htln "sport = :$port")" ]; then echo "$port"; return; fi
	done
	echo "run.sh: no free port" >&2; exit 1
}

# get <port> <path>: the body of a GET on 127.0.0.1 (bash's /dev/tcp: no curl needed).
get() {
	local reply
	{ exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
	printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$2" >&3
	reply=$(timeout 5 cat <&3) || true
	exec 3<&- 3>&-
	printf '%s' "$reply"
}

# healthy <port>: GET /health answers 200.
healthy() {
	local reply=
	{ exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
	printf 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
	read -r -t 2 reply <&3 || true
	exec 3<&- 3>&-
	[[ "$reply" == "HTTP/1.1 200"* ]]
}

# Cluster mode: one PostgreSQL and one Redis on loopback for the whole run
# (tests/integration/cluster/services.sh), a fresh database per scenario.
services=$source_dir/tests/integration/cluster/services.sh
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
start_services() {
	services_dir=$(mktemp -d /tmp/palaver-bench-services.XXXXXX)
	"$services" pg-start "$services_dir" >/dev/null
	"$services" redis-start "$services_dir" >/dev/null
	pg_conn=$(cat "$services_dir/pg.conn")
	redis_url=redis://127.0.0.1:$(cat "$services_dir/redis.port")
}
pg_admin() {
	local port
	port=$(cat "$services_dir/pg.port")
	"${pg_bin:+$pg_bin/}$1" -h 127.0.0.1 -p "$port" -U postgres "$2"
}
create_database() { pg_admin createdb "$1"; }
# ticks <pid> [children]: utime + stime of a process (and, with "children",
# cutime + cstime: its reaped children) in clock ticks; 0 if it is gone.
ticks() {
	local stat rest
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
	rest=${stat##*) }
	# rest starts at field 3 (state): utime is field 14, stime 15, cutime 16, cstime 17.
	set -- $rest "${2-}"
	if [ "${16}" = children ]; then echo $(( ${12} + ${13} + ${14} + ${15} )); else echo $(( ${12} + ${13} )); fi
}
# services_cpu: CPU seconds used so far by PostgreSQL (the postmaster, its
# live backends, and those it reaped) and by Redis: "PG REDIS".
services_cpu() {
	local pg_pid redis_pid pg=0 child
	pg_pid=$(head -1 "$(cat "$services_dir/pg.data")/data/postmaster.pid" 2>/dev/null || echo 0)
	redis_pid=$(cat "$services_dir/redis.pid" 2>/dev/null || echo 0)
	pg=$(ticks "$pg_pid" children)
	for child in $(cat /proc/"$pg_pid"/task/*/children 2>/dev/null); do pg=$(( pg + $(ticks "$child") )); done
	awk -v pg="$pg" -v redis="$(ticks "$redis_pid")" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f %.2f\n", pg / hz, redis / hz }'
}
# Redis's own count of PUBLISH commands (a check on the nodes' counters).
redis_publishes() {
	redis-cli -h 127.0.0.1 -p "$(cat "$services_dir/redis.port")" info commandstats 2>/dev/null \
		| sed -n 's/^cmdstat_publish:calls=\([0-9]*\),.*/\1/p' | grep . || echo 0
}
drop_database() { pg_admin dropdb "$1" >/dev/null 2>&1 || true; }

# start_server [--section.key=value ...]: one more palaverd; appends to
# server_pids, http_ports, ws_ports.
start_server() {
	local state_dir http_port ws_port server_pid
	state_dir=$(mktemp -d /tmp/palaver-bench.XXXXXX)
	http_port=$(free_port)
	ws_port=$(free_port)
	while [ "$ws_port" = "$http_port" ] || [[ " ${http_ports[*]-} ${ws_ports[*]-} " == *" $http_port "* ]] \
		|| [[ " ${http_ports[*]-} ${ws_ports[*]-} " == *" $ws_port "* ]]; do
		http_port=$(free_port); ws_port=$(free_port)
	done
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
	server_pids+=("$server_pid")
	state_dirs+=("$state_dir")
	for _ in $(seq 1 200); do
		if healthy "$http_port"; then
			# palaverd binds with SO_REUSEPORT: a port taken meanwhile by
			# another palaverd would silently share the load. Start again.
			if [ "$(ss -Htln "sport = :$http_port or sport = :$ws_port" | wc -l)" -ne 2 ]; then
				echo "run.sh: port $http_port or $ws_port is shared; restarting on others" >&2
				kill -KILL "$server_pid" 2>/dev/null || true
				wait "$server_pid" 2>/dev/null || true
				rm -rf "$state_dir"
				unset 'server_pids[-1]' 'state_dirs[-1]'
				start_server "$@"
				return 0
			fi
			http_ports+=("$http_port")
			ws_ports+=("$ws_port")
			return 0
		fi
		kill -0 "$server_pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "run.sh: palaverd did not start:" >&2
	tail -20 "$state_dir/palaverd.log" >&2
	exit 1
}

# start_nodes <count> [--section.key=value ...]: count palaverds on a fresh
# PostgreSQL database; with more than one, linked through Redis, and waited
# for until each reports palaver_cluster_connected 1.
start_nodes() {
	local count=$1 k
	shift
	database=bench_$$_$RANDOM
	create_database "$database"
	for k in $(seq 1 "$count"); do
		local cluster=(--cluster.bus=local)
		[ "$count" -gt 1 ] && cluster=(--cluster.bus="$redis_url" --cluster.node_id="node$k")
		start_server --database.connector=postgresql --database.connection="$pg_conn dbname=$database" \
			"${cluster[@]}" "$@"
	done
	[ "$count" -gt 1 ] || return 0
	for k in $(seq 0 $((count - 1))); do
		local connected=false
		for _ in $(seq 1 150); do
			if get "${http_ports[$k]}" /metrics | grep -q '^palaver_cluster_connected 1'; then connected=true; break; fi
			sleep 0.1
		done
		$connected || { echo "run.sh: node$((k + 1)) did not subscribe to Redis:" >&2; tail -20 "${state_dirs[$k]}/palaverd.log" >&2; exit 1; }
	done
}

start_profile() {
	$profile || return 0
	local pids
	pids=$(IFS=,; echo "${server_pids[*]}")
	perf record -e cpu-clock -F 499 -g -p "$pids" -o "$results_dir/$1.perf.data" >/dev/null 2>&1 &
	perf_pid=$!
}

# fill_search <messages> <users>: the search scenario's messages between
# users 1..<users>, written straight into the SQLite database of the
# palaverd just started (bench/search-fill.sql); then waits (at most 15
# minutes) until its indexer has indexed them all.
fill_search() {
	command -v sqlite3 >/dev/null || { echo "run.sh: search needs the sqlite3 program (make build installs it)" >&2; return 1; }
	local db=${state_dirs[0]}/palaver.db started=$SECONDS filled
	sqlite3 -cmd ".parameter set :count $1" -cmd ".parameter set :users $2" "$db" <"$here/search-fill.sql" >/dev/null || return 1
	filled=$SECONDS
	for _ in $(seq 1 900); do
		[ "$(sqlite3 -cmd ".timeout 10000" "$db" "SELECT (SELECT indexed_up_to FROM messages_search_state) >= (SELECT MAX(id) FROM messages)")" = 1 ] && break
		sleep 1
	done
	echo "filled $1 messages over $2 users in $((filled - started)) s; palaverd indexed them in $((SECONDS - filled)) s" | tee -a "$results_dir/summary.txt"
}

# make_photo <bytes>: the JPEG of the upload scenarios ($photo), made once
# by palaver-bench-photo (libvips).
photo=$results_dir/photo.jpg
make_photo() {
	[ -s "$photo" ] && return 0
	local maker=$build_dir/bin/palaver-bench-photo
	[ -x "$maker" ] || { echo "run.sh: $maker is missing (built with the attachments plugin)" >&2; return 1; }
	"$maker" "$photo" "$1" | tee -a "$results_dir/summary.txt"
}

failures=0
# [prepare=COMMAND] scenario <name> <server arguments...> -- <bench arguments...>
# In cluster mode it runs once per node count, named <name>.nodes<N>.
# COMMAND runs after the palaverd started and before the bench.
scenario() {
	local base=$1; shift
	if [ -n "$only" ] && [ "${base%%.*}" != "$only" ] && [ "$base" != "$only" ]; then return 0; fi
	local server_args=()
	while [ "$1" != "--" ]; do server_args+=("$1"); shift; done
	shift
	local scenario=${base%%.*}
	for variant in -sweep -sync-off -nopresence -distinct -latency -noindex -large -small -all; do scenario=${scenario%$variant}; done
	local counts=(0)
	[ ${#node_counts[@]} -gt 0 ] && counts=("${node_counts[@]}")
	local count target
	for count in "${counts[@]}"; do
		if [ "$count" -eq 0 ]; then
			name=$base
			start_server ${server_args[@]+"${server_args[@]}"}
			target=(--http-port="${http_ports[0]}" --ws-port="${ws_ports[0]}" --server-pid="${server_pids[0]}")
			# conversations fills palaverd's SQLite file directly.
			[ "$scenario" = conversations ] && target+=(--database="${state_dirs[0]}/palaver.db")
		else
			name=$base.nodes$count
			start_nodes "$count" ${server_args[@]+"${server_args[@]}"}
			local servers=() k
			for k in "${!http_ports[@]}"; do servers+=("127.0.0.1:${http_ports[$k]}:${ws_ports[$k]}"); done
			target=(--server="$(IFS=,; echo "${servers[*]}")" --server-pid="$(IFS=,; echo "${server_pids[*]}")")
		fi
		echo "== $name" | tee -a "$results_dir/summary.txt"
		if [ -n "${prepare-}" ] && ! $prepare; then
			failures=$((failures + 1))
			stop_servers
			continue
		fi
		start_profile "$name"
		local publishes=0 cpu_before=
		[ -n "$services_dir" ] && publishes=$(redis_publishes) && cpu_before=$(services_cpu)
		if ! "$bench" "$scenario" "${target[@]}" \
				--output="$results_dir/$name.json" "$@" ${extra_bench[@]+"${extra_bench[@]}"} | tee -a "$results_dir/summary.txt"; then
			failures=$((failures + 1))
			echo "run.sh: $name failed; palaverd said:" >&2
			local dir
			for dir in "${state_dirs[@]}"; do tail -20 "$dir/palaverd.log" >&2; done
		fi
		if [ -n "$services_dir" ]; then
			local cpu_after
			cpu_after=$(services_cpu)
			echo "during $name: PostgreSQL used $(awk -v a="$cpu_before" -v b="$cpu_after" 'BEGIN { split(a, x, " "); split(b, y, " "); printf "%.2f s CPU, Redis %.2f s", y[1] - x[1], y[2] - x[2] }'), Redis counted $(( $(redis_publishes) - publishes )) PUBLISH commands" \
				| tee -a "$results_dir/summary.txt"
		fi
		stop_servers
		if $profile && [ -f "$results_dir/$name.perf.data" ]; then
			perf report -i "$results_dir/$name.perf.data" --no-children -g none --sort dso,sym --stdio 2>/dev/null \
				| grep -v '^#' | grep -v '^$' | head -40 >"$results_dir/$name.perf.txt" || true
		fi
	done
}

: >"$results_dir/summary.txt"
rm -f "$photo"
{
	echo "# $(date -u +%FT%TZ) $(uname -r), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
} >>"$results_dir/summary.txt"

# Chat frames over the socket are rate limited per user (50/s by default);
# the chat-ws scenario sends far more per user.
ws_unlimited=(--ws.rate_limit=1000000 --ws.rate_burst=1000000)

if [ ${#node_counts[@]} -gt 0 ]; then
	start_services
	echo "# cluster mode: node counts ${node_counts[*]}; PostgreSQL $pg_conn (fsync off, services.sh), Redis $redis_url; every node on this machine" >>"$results_dir/summary.txt"
fi

if [ "$mode" = smoke ] && [ ${#node_counts[@]} -gt 0 ]; then
	# Every scenario at tiny scale over the nodes (ctest: bench-cluster-smoke).
	scenario idle -- --connections=40 --users=4 --idle-interval=0.5 --check
	scenario chat-http -- --users=6 --rate=200 --duration=1 --http-connections=4 --check
	scenario chat-ws "${ws_unlimited[@]}" -- --users=6 --rate=200 --duration=1 --check
	scenario fanout -- --connections=30 --users=3 --rounds=2 --check
	scenario group-fanout -- --users=12 --rounds=2 --check
	scenario history -- --history-messages=50 --duration=0.5 --http-connections=2 --check
	scenario connect-storm -- --users=30 --connect-rate=200 --check
elif [ ${#node_counts[@]} -gt 0 ]; then
	# The cluster set (make bench-cluster): the same scenario on each node
	# count in turn, repeated, so the counts alternate. Throughput at
	# overload (as the standard set), then latency at a rate every
	# configuration sustains; fanout and history once.
	for i in $(seq 1 "$repeat"); do
		scenario "chat-http.$i" -- --users=100 --rate=10000 --duration=5 --drain=5 --http-connections=32
		scenario "chat-ws.$i" "${ws_unlimited[@]}" -- --users=100 --rate=30000 --duration=5 --drain=5
		scenario "chat-http-latency.$i" -- --users=100 --rate=500 --duration=5 --drain=5 --http-connections=32
		scenario "chat-ws-latency.$i" "${ws_unlimited[@]}" -- --users=100 --rate=1000 --duration=5 --drain=5
	done
	scenario fanout -- --connections=10000 --users=100 --rounds=5
	scenario history -- --history-messages=1000 --duration=5 --http-connections=8
elif [ "$mode" = smoke ]; then
	scenario idle -- --connections=40 --users=4 --idle-interval=0.5 --check
	scenario chat-http -- --users=4 --rate=200 --duration=1 --http-connections=4 --check
	scenario chat-ws "${ws_unlimited[@]}" -- --users=4 --rate=200 --duration=1 --check
	scenario fanout -- --connections=30 --users=3 --rounds=2 --check
	scenario group-fanout -- --users=12 --rounds=2 --check
	scenario history -- --history-messages=50 --duration=0.5 --http-connections=2 --check
	scenario chat-ws-sweep "${ws_unlimited[@]}" -- --users=4 --rate=100 --duration=0.5 --sweep --sweep-steps=2 --check
	scenario connect-storm -- --users=30 --connect-rate=200 --check
	scenario connect-storm-all --ws.presence_scope=all -- --users=30 --connect-rate=200 --check
	prepare="fill_search 2000 20" scenario search -- --users=20 --duration=0.5 --http-connections=2 --check
	scenario conversations -- --chats=20 --stored-messages=2000 --duration=0.5 --http-connections=2 --check
	prepare="make_photo 100000" scenario uploads -- --photo="$photo" --duration=2 --http-connections=2 --check
	prepare="make_photo 100000" scenario uploads-chat "${ws_unlimited[@]}" -- --photo="$photo" --users=4 --rate=100 --duration=1 \
		--http-connections=2 --check
else
	# Connections at most what RLIMIT_NOFILE lets each end hold (50,000 is the goal).
	idle_n=$(( $(ulimit -n) - 200 )); [ "$idle_n" -gt 50000 ] && idle_n=50000
	scenario idle -- --connections="$idle_n" --users=100 --idle-interval=10
	# One connection per user, as after a restart when every client reconnects:
	# each first connection of a user broadcasts presence to all the others.
	scenario idle-distinct -- --connections=8000 --users=8000 --idle-interval=3
	scenario idle-distinct-nopresence --ws.presence=false -- --connections=8000 --users=8000 --idle-interval=3
	scenario fanout -- --connections=10000 --users=100 --rounds=5
	# Issue 14: every user reconnects at once (1,000/s), each with a chat with
	# two others: presence frames grow with the users ([ws] presence_scope =
	# conversations); beside it fewer users, and Part 1's scope (all), whose
	# frames grow with users x connections.
	scenario connect-storm-small -- --users=3000 --connect-rate=1000
	scenario connect-storm -- --users=15000 --connect-rate=1000
	scenario connect-storm-all-small --ws.presence_scope=all -- --users=3000 --connect-rate=1000
	# One message at a time to a group, every member with one connection
	# (issue 16; issue 14 asks for 10,000 members within 100 ms of the 201).
	# The large group without presence: 10,000 distinct users connecting would
	# otherwise measure the presence broadcast (idle-distinct) instead.
	scenario group-fanout -- --users=100 --rounds=20
	scenario group-fanout-large --groups.max_members=10000 --ws.presence=false -- --users=10000 --rounds=20
	# Side by side, repeated (the machine is shared: compare within a run,
	# take medians): the shipped configuration, and next to it what changes
	# one limit: [database] synchronous (durability).
	for i in $(seq 1 "$repeat"); do
		scenario "chat-http.$i" -- --users=100 --rate=10000 --duration=5 --drain=5 --http-connections=32
		scenario "chat-http-sync-off.$i" --database.synchronous=OFF -- --users=100 --rate=10000 --duration=5 --drain=5 --http-connections=32
		scenario "chat-ws.$i" "${ws_unlimited[@]}" -- --users=100 --rate=30000 --duration=5 --drain=5
		# What the search index costs the delivery path (docs/PERFORMANCE.md).
		scenario "chat-ws-noindex.$i" --messages.search_index=false "${ws_unlimited[@]}" -- --users=100 --rate=30000 --duration=5 --drain=5
		scenario "history.$i" -- --history-messages=1000 --duration=5 --http-connections=8
		# Issue 17: 1 MiB photos (decoded, stripped, thumbnailed on the image
		# pool), and chat-ws at a fixed rate without and with those uploads.
		prepare="make_photo 1048576" scenario "uploads.$i" -- --photo="$photo" --duration=10 --http-connections=4
		prepare="make_photo 1048576" scenario "uploads-chat.$i" "${ws_unlimited[@]}" -- --photo="$photo" --users=100 --rate=1000 \
			--duration=5 --drain=5 --http-connections=4
	done
	# The chat list of a user with 500 chats and 1,000,000 stored messages (issue 16: p99 < 20 ms).
	scenario conversations -- --chats=500 --stored-messages=1000000 --duration=10 --http-connections=1
	scenario chat-http-sweep -- --users=100 --rate=1000 --sweep --duration=5 --drain=3 --http-connections=32
	# 1M messages over 1,000 users; the goal: p99 under 50 ms per query.
	prepare="fill_search 1000000 1000" scenario search -- --users=1000 --duration=10 --http-connections=4
	scenario chat-ws-sweep "${ws_unlimited[@]}" -- --users=100 --rate=1000 --sweep --duration=5 --drain=3
fi
echo "results: $results_dir (summary.txt, *.json)"
[ "$failures" -eq 0 ] || { echo "run.sh: $failures scenario(s) failed" >&2; exit 1; }
