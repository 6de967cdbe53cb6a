#!/usr/bin/env bash
# Two builds side by side: each scenario alternately on build A and build B,
# PAIRS times, so that both see the same machine (docs/PERFORMANCE.md: compare
# only within a run). Results in <results-dir>/<a|b>.<scenario>.<n>/.
#
#   bench/compare.sh --a build-before --b build [--pairs 3] [--results-dir DIR] \
#       chat-http chat-ws history ...   (scenarios of run.sh's standard set)
#   Other options (--server-arg, --bench-arg) go to every run.sh call.
#
# A build of another commit: git worktree add /tmp/before <commit>, then
# cmake -S /tmp/before -B build-before && cmake --build build-before -j2.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build_a=
build_b=
pairs=3
results_dir=$here/results/compare
passthrough=()
scenarios=()
while [ $# -gt 0 ]; do
	case $1 in
		--a) build_a=$2; shift ;;
		--b) build_b=$2; shift ;;
		--pairs) pairs=$2; shift ;;
		--results-dir) results_dir=$2; shift ;;
		--server-arg|--bench-arg) passthrough+=("$1" "$2"); shift ;;
		-*) echo "compare.sh: unknown option $1" >&2; exit 2 ;;
		*) scenarios+=("$1") ;;
	esac
	shift
done
[ -n "$build_a" ] && [ -n "$build_b" ] && [ ${#scenarios[@]} -gt 0 ] || {
	echo "usage: compare.sh --a BUILD_DIR --b BUILD_DIR [--pairs N] SCENARIO..." >&2; exit 2; }

mkdir -p "$results_dir"
for scenario in "${scenarios[@]}"; do
	for n in $(seq 1 "$pairs"); do
		for side in a b; do
			build=$build_a; [ "$side" = b ] && build=$build_b
			out=$results_dir/$side.$scenario.$n
			"$here/run.sh" --build-dir "$build" --results-dir "$out" --only "$scenario" --repeat 1 \
				${passthrough[@]+"${passthrough[@]}"} >"$out.log" 2>&1 || echo "compare.sh: $side $scenario $n failed (see $out.log)" >&2
			echo "$side $scenario $n: $(grep -E '^(chat|idle|fanout|history)' "$out/summary.txt" 2>/dev/null | tail -1)"
		done
	done
done
