#!/usr/bin/env bash
# Builds the libFuzzer targets (clang-14, ASan + UBSan) and runs them.
# Usage: scripts/fuzz.sh smoke [seconds]   each target for 30 s (CI), after replaying
#                                          fuzz/regressions/<target>/
#        scripts/fuzz.sh long [seconds]    a campaign: each target for 3600 s unless told,
#                                          keeping its corpus in build-fuzz/corpus/<target>
# Prints the executions per target; exits non-zero when a target crashes. Crashing inputs land
# in build-fuzz/artifacts/<target>/: fix the code, then copy the input into
# fuzz/regressions/<target>/ so every later run replays it. BUILD_DIR overrides ./build-fuzz.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-fuzz}
mode=${1:-smoke}
case "$mode" in
  smoke) seconds=${2:-30} ;;
  long) seconds=${2:-3600} ;;
  *) echo "usage: $0 smoke|long [seconds]" >&2; exit 2 ;;
esac
targets=(request_parsing token zoho_mapping)
cd "$root"

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
  -DDESKBRIDGE_FUZZ=ON -DDESKBRIDGE_TESTS=OFF >/dev/null
cmake --build "$build" --target fuzz_targets

status=0
summary=()
for t in "${targets[@]}"; do
  bin="$build/fuzz/fuzz_$t"
  work="$build/corpus/$t"
  artifacts="$build/artifacts/$t"
  # A smoke run starts from the committed seeds only, so CI runs are alike; a campaign keeps
  # growing its own corpus across runs.
  if [ "$mode" = smoke ]; then
    work="$build/smoke-corpus/$t"
    rm -rf "$work"
  fi
  mkdir -p "$work" "$artifacts"

  regressions=("fuzz/regressions/$t"/*)
  if [ -e "${regressions[0]}" ]; then
    echo "== fuzz_$t: replaying ${#regressions[@]} regression input(s)"
    if ! "$bin" -artifact_prefix="$artifacts/" "${regressions[@]}" \
        >"$build/replay-$t.log" 2>&1; then
      tail -30 "$build/replay-$t.log"
      echo "FAIL fuzz_$t: a regression input crashes again" >&2
      status=1
    fi
  fi

  echo "== fuzz_$t: ${seconds}s"
  log="$build/fuzz-$t.log"
  if "$bin" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
       -artifact_prefix="$artifacts/" "$work" "fuzz/corpus/$t" >"$log" 2>&1; then
    result=ok
  else
    result=CRASH
    status=1
    grep -E "ERROR|runtime error|SUMMARY|Test unit written" "$log" | head -20 >&2 || true
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
  summary+=("$(printf '%-16s %-6s %12s runs %8s/s  coverage %6s  corpus %6s' "$t" "$result" \
    "${runs:-?}" "${rate:-?}" "${cov:-?}" "$(find "$work" -type f | wc -l)")")
done

echo "== fuzz $mode summary (${seconds}s per target)"
printf '%s\n' "${summary[@]}"
exit $status
