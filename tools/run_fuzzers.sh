#!/usr/bin/env bash
# Builds the libFuzzer targets (build-fuzz/, Clang with ASan and UBSan), runs each once over its
# regression inputs (tests/fuzz/regressions/TARGET/), then fuzzes each for SECONDS_EACH seconds
# (default 30) from seeds generated from the repository's data, two targets at a time. Prints one
# line per target; exits 1 when any target crashed, with the crashing input's path.
#   tools/run_fuzzers.sh [SECONDS_EACH]        (docs/fuzzing.md; FUZZ_JOBS=N runs N at a time)
# Installs nothing: clang, libclang-rt-dev and the library packages must be there (tools/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-30}
parallel=${FUZZ_JOBS:-2}
build="build-fuzz"
bin=$build/tests/fuzz
work=$build/fuzz-run
start=$SECONDS

# CPU seconds (user + system) of everything this script ran so far: on a loaded machine the wall
# time says little about the run's own cost. `times` must write $cpu_file from this shell (in
# $(...) it would see a subshell without children); cpu_seconds only adds it up.
cpu_file=$(mktemp "${TMPDIR:-/tmp}/chatfmt-fuzz-times.XXXXXX")
trap 'rm -f "$cpu_file"' EXIT
cpu_seconds() {
  awk 'END { n = split($0, t, /[ms ]+/); s = 0; for (i = 1; i + 1 <= n; i += 2) s += t[i] * 60 + t[i + 1]; printf "%d", s }' \
    "$cpu_file"
}

cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCHATFMT_BUILD_FUZZERS=ON -DCHATFMT_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target fuzzers chatfmt
times >"$cpu_file"
echo "fuzz: built in $((SECONDS - start)) s (CPU $(cpu_seconds) s)"

# Fresh corpora every run, under the build directory: the repository is never written.
rm -rf "$work"
mkdir -p "$work"
python3 tools/make_fuzz_seeds.py "$work/seeds" "$build/chatfmt"
"$bin/fuzz_dictionary" >"$work/seeds/dictionaries/text.dict"

# target, dictionary, -max_len (the largest seeds are ~18 KB tokenizer files).
targets=(
  "fuzz_jsonl_record text 16384"
  "fuzz_chatml_text text 16384"
  "fuzz_embedded_calls text 8192"
  "fuzz_tools_schema text 8192"
  "fuzz_tokenizer_json fuzz_tokenizer_json 32768"
  "fuzz_tekken_json fuzz_tekken_json 32768"
  "fuzz_sentencepiece_model fuzz_sentencepiece_model 16384"
)

# A crash found becomes a regression input: every committed one must pass before fuzzing.
status=0
for entry in "${targets[@]}"; do
  read -r target _ _ <<<"$entry"
  regressions=tests/fuzz/regressions/$target
  if [[ ! -d $regressions ]] || ! compgen -G "$regressions/*" >/dev/null; then continue; fi
  count=$(find "$regressions" -type f | wc -l)
  if "$bin/$target" -timeout=10 -rss_limit_mb=2048 "$regressions"/* >"$work/$target.regressions.log" 2>&1; then
    echo "regressions $target: $count inputs pass"
  else
    echo "regressions $target: FAILED (log: $work/$target.regressions.log)"
    tail -n 30 "$work/$target.regressions.log"
    status=1
  fi
done

run_target() {
  local target=$1 dict=$2 max_len=$3
  local dir=$work/$target
  mkdir -p "$dir/corpus" "$dir/artifacts"
  cp "$work/seeds/$target"/* "$dir/corpus/"
  local rc=0
  "$PWD/$bin/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="$max_len" \
    -dict="$work/seeds/dictionaries/$dict.dict" -print_final_stats=1 -artifact_prefix="$dir/artifacts/" \
    "$dir/corpus" >"$dir/fuzz.log" 2>&1 || rc=$?
  echo "$rc" >"$dir/rc"
}

for entry in "${targets[@]}"; do
  # shellcheck disable=SC2086  # the entry is three words
  run_target $entry &
  while (($(jobs -rp | wc -l) >= parallel)); do wait -n || true; done
done
wait

for entry in "${targets[@]}"; do
  read -r target _ _ <<<"$entry"
  dir=$work/$target
  log=$dir/fuzz.log
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  # The last status line: "#N  DONE  cov: C ft: F corp: U/Sb ...".
  last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
  corpus=$(sed -nE 's/.* corp: ([0-9]+)\/.*/\1/p' <<<"$last")
  echo "fuzz $target: ${execs:-?} execs, cov ${cov:-?}, ft ${ft:-?}, corpus ${corpus:-?}"
  rc=$(cat "$dir/rc" 2>/dev/null || echo "?")
  if [[ $rc != 0 ]]; then
    status=1
    echo "fuzz $target: FAILED (exit $rc, log: $log)"
    grep -E '^(==[0-9]+==ERROR|SUMMARY|FUZZ FINDING|.*runtime error)' "$log" | head -n 5 || true
    for artifact in "$dir"/artifacts/*; do
      [[ -e $artifact ]] && echo "fuzz $target: crashing input $artifact"
    done
  fi
done
times >"$cpu_file"
echo "fuzz: done in $((SECONDS - start)) s (CPU $(cpu_seconds) s)"
exit "$status"
