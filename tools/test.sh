#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run):
#   1. setup    tools/setup.sh: installs the missing Debian packages (tools/debian-packages.txt),
#               builds build/ (the "release" preset), fetches the pinned tokenizer fixture
#   2. release  ctest --preset release: unit, CLI, golden, round trip, differential tests; the
#               first test checks that the Debian package list is complete
#   3. asan     the same suite built and run under ASan + UBSan + LSan (the "asan" preset, build-asan/)
#   4. fuzz     tools/run_fuzzers.sh 30: each libFuzzer target for 30 s
# Prints the time of each phase and the total. Every phase runs even when an earlier test phase
# failed (a failed setup stops it); the exit status is 1 when any phase failed.
#   tools/test.sh                 all phases
#   tools/test.sh release asan    only those (setup always runs first)
set -euo pipefail
cd "$(dirname "$0")/.."

phases=("$@")
((${#phases[@]})) || phases=(release asan fuzz)
for phase in "${phases[@]}"; do
  [[ $phase =~ ^(release|asan|fuzz)$ ]] || { echo "tools/test.sh: unknown phase '$phase' (release, asan, fuzz)" >&2; exit 2; }
done
jobs=$(nproc)
start=$SECONDS
timings=()
failed=()
passed_total=0
failed_total=0
log=$(mktemp "${TMPDIR:-/tmp}/chatfmt-ctest.XXXXXX")
cpu=$(mktemp "${TMPDIR:-/tmp}/chatfmt-times.XXXXXX")
trap 'rm -f "$log" "$cpu"' EXIT

cpu_now() {  # cpu_total = user + system CPU seconds of the finished child processes so far
  times >"$cpu"  # in this shell: in $(...) or a pipe, `times` would see a subshell with no children
  cpu_total=$(awk 'END { n = split($0, t, /[ms ]+/); s = 0; for (i = 1; i + 1 <= n; i += 2) s += t[i] * 60 + t[i + 1]; printf "%d", s }' "$cpu")
}

timed() {  # NAME COMMAND...: runs the command, records its wall and CPU time and whether it failed
  local name=$1 began=$SECONDS cpu_began status=0 line
  cpu_now
  cpu_began=$cpu_total
  shift
  echo
  echo "=== $name: $*"
  "$@" || status=$?
  cpu_now
  line=$(printf '%-8s %5d s  (CPU %5d s)' "$name" $((SECONDS - began)) $((cpu_total - cpu_began)))
  ((status == 0)) || line+="  FAILED (exit $status)"
  timings+=("$line")
  echo "=== $line"
  ((status == 0)) || failed+=("$name")
  return 0
}

summary() {
  echo
  echo "=== timing (wall clock; CPU is user + system of all processes, on $jobs cores)"
  printf '%s\n' "${timings[@]}"
  cpu_now
  printf '%-8s %5d s  (CPU %5d s)\n' total $((SECONDS - start)) "$cpu_total"
}

run_ctest() {  # PRESET: the whole suite; adds its counts to the totals of the closing line
  local status=0 line
  ctest --preset "$1" -j "$jobs" | tee "$log" || status=$?
  line=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1 || true)
  if [[ $line =~ ([0-9]+)\ tests?\ failed\ out\ of\ ([0-9]+) ]]; then
    failed_total=$((failed_total + BASH_REMATCH[1]))
    passed_total=$((passed_total + BASH_REMATCH[2] - BASH_REMATCH[1]))
  else
    failed_total=$((failed_total + 1))  # ctest did not get to its summary
  fi
  return "$status"
}

timed setup tools/setup.sh
if ((${#failed[@]})); then
  summary
  exit 1
fi

asan_phase() {  # CMakePresets.json "asan": build-asan/, then the whole suite with the sanitizer options
  cmake --preset asan >/dev/null &&
    cmake --build --preset asan &&
    run_ctest asan
}

fuzz_phase() {
  if [[ -x tools/run_fuzzers.sh ]]; then
    tools/run_fuzzers.sh 30
  else
    echo "fuzz: tools/run_fuzzers.sh is not there yet; skipped"  # TODO: remove once it has landed
  fi
}

for phase in "${phases[@]}"; do
  case $phase in
    release) timed release run_ctest release ;;
    asan) timed asan asan_phase ;;
    fuzz) timed fuzz fuzz_phase ;;
  esac
done

summary
((${#failed[@]} == 0)) || echo "FAILED: ${failed[*]}"
# The closing line CI reads: both ctest runs together.
echo "ctest: $passed_total passed, $failed_total failed"
((${#failed[@]} == 0))
