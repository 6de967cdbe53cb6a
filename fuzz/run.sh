#!/usr/bin/env bash
# Runs every fuzz target built in <build-dir> for <seconds> each, starting
# from the seeds in fuzz/corpus/<target>/ (read only: what the fuzzer finds
# goes to <build-dir>/corpus/<target>/). Fails on the first crash, leak,
# sanitizer report or time-out; the input that did it is saved as
# <build-dir>/artifacts/<target>-crash-... (replay: <build-dir>/<target> FILE).
#   fuzz/run.sh <build-dir> [seconds] [target...]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$(cd "$1" && pwd)"
seconds="${2:-60}"
shift $(( $# >= 2 ? 2 : 1 ))
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  for dir in "$here"/corpus/*/; do targets+=("$(basename "$dir")"); done
fi

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
failed=()
for target in "${targets[@]}"; do
  mkdir -p "$build/corpus/$target" "$build/artifacts"
  echo "fuzz: $target for ${seconds}s"
  if ! "$build/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
      -print_final_stats=1 -artifact_prefix="$build/artifacts/$target-" \
      "$build/corpus/$target" "$here/corpus/$target" > "$build/$target.log" 2>&1; then
    tail -n 60 "$build/$target.log"
    echo "fuzz: $target FAILED (log: $build/$target.log)"
    failed+=("$target")
  else
    grep -E "^stat::(number_of_executed_units|peak_rss_mb)" "$build/$target.log" | tr '\n' ' '; echo
  fi
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz: failures in ${failed[*]}"
  exit 1
fi
echo "fuzz: ${#targets[@]} targets clean"
