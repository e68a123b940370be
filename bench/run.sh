#!/usr/bin/env bash
# chatfmt benchmark: one command, deterministic inputs, bounded time (well under 2 minutes on
# 2 cores). Speed is reported as ratios to baselines measured in this same run (docs/performance.md).
#
#   bench/run.sh
#
# Environment (optional): BENCH_MEGABYTES (corpus size, default 100), BENCH_RUNS (rounds: timed
# runs per command, default 5), BENCH_SLICE (records for the Python+Jinja reference, default ~2000).
# Prints a table and writes bench/results/latest.md. Exits 1 if the outputs of different thread
# counts are not byte-identical.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=/usr/bin/python3
CHATFMT=build/chatfmt
SOURCE=data/samples/train.jsonl
TEMPLATE=tests/reference/mistral-common/chat_templates/v13.jinja
ORACLE=tools/oracle/render_chat_template.py
MEGABYTES=${BENCH_MEGABYTES:-100}
RUNS=${BENCH_RUNS:-5}
SLICE_TARGET=${BENCH_SLICE:-2000}
CORES=$(nproc)

if [[ ! -x $CHATFMT ]]; then
  echo "bench: $CHATFMT missing, building it (cmake --build build)" >&2
  if ! cmake --build build; then
    echo "bench: build failed; configure first with tools/setup.sh" >&2
    exit 2
  fi
fi
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' build/CMakeCache.txt 2>/dev/null || true)
if [[ -n $build_type && $build_type != Release && $build_type != RelWithDebInfo ]]; then
  echo "bench: warning: build/ is a '$build_type' build; figures will not represent a release build" >&2
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/chatfmt-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
RESULTS=$WORK/results.jsonl
mkdir -p bench/results

echo "bench: building a ${MEGABYTES} MB corpus from $SOURCE" >&2
"$PY" tools/make_corpus.py "$SOURCE" "$WORK/corpus.jsonl" --megabytes "$MEGABYTES"
CORPUS=$WORK/corpus.jsonl
corpus_bytes=$(stat -c %s "$CORPUS")
corpus_records=$(wc -l <"$CORPUS")

# The reference slice: whole repetitions of the source, so its record mix is the corpus's.
source_records=$(grep -cv '^[[:space:]]*$' "$SOURCE")
repeats=$((SLICE_TARGET / source_records))
((repeats >= 1)) || repeats=1
slice_records=$((repeats * source_records))
((slice_records <= corpus_records)) || slice_records=$corpus_records
head -n "$slice_records" "$CORPUS" >"$WORK/slice.jsonl"
slice_bytes=$(stat -c %s "$WORK/slice.jsonl")
# chatfmt writes the slice as OpenAI messages, the input an ad-hoc Python+Jinja converter renders
# (not timed). Exit status 1 means some records were rejected, which the corpus has on purpose.
"$CHATFMT" convert "$WORK/slice.jsonl" -o "$WORK/slice.openai.jsonl" --to openai --threads 1 --quiet \
  >"$WORK/slice.log" 2>&1 || (($? == 1)) || { cat "$WORK/slice.log" >&2; echo "bench: chatfmt --to openai failed" >&2; exit 2; }
rendered_records=$(wc -l <"$WORK/slice.openai.jsonl")

measure() { "$PY" bench/measure.py run --results "$RESULTS" "$@"; }

thread_counts=(1 2)
if ((CORES > 2)); then thread_counts+=("$CORES"); fi
# Rounds interleave the commands, so a burst of load from elsewhere on the machine lands on
# every row rather than on one. Round 1 starts each command with an untimed warm-up run (which
# also measures its peak RSS).
echo "bench: timing, $RUNS rounds ($CORES cores)" >&2
for ((round = 1; round <= RUNS; round++)); do
  warmup=0
  ((round > 1)) || warmup=1
  measure --name "cat (I/O floor)" --bytes "$corpus_bytes" --warmup "$warmup" --runs 2 -- cat "$CORPUS"
  for n in "${thread_counts[@]}"; do
    measure --name "chatfmt --threads $n" --bytes "$corpus_bytes" --records "$corpus_records" --warmup "$warmup" \
      --ok-codes 0,1 -- "$CHATFMT" convert "$CORPUS" -o "$WORK/out.t$n.jsonl" --to devstral-small-2 --threads "$n" --quiet
  done
  measure --name "python+jinja startup only" --bytes 0 --warmup "$warmup" --stdin /dev/null \
    -- "$PY" "$ORACLE" "$TEMPLATE" --arguments string
  measure --name "python+jinja reference" --bytes "$slice_bytes" --records "$rendered_records" --warmup "$warmup" \
    --stdin "$WORK/slice.openai.jsonl" --stdout "$WORK/slice.rendered.jsonl" \
    -- "$PY" "$ORACLE" "$TEMPLATE" --arguments string
done

# Same output for any thread count: output and rejects files, byte for byte.
identical=yes
notes=()
for n in "${thread_counts[@]:1}"; do
  for suffix in jsonl rejects.jsonl; do
    if cmp -s "$WORK/out.t1.$suffix" "$WORK/out.t$n.$suffix"; then
      notes+=("cmp out.t1.$suffix out.t$n.$suffix: byte-identical ($(stat -c %s "$WORK/out.t1.$suffix") bytes)")
    else
      notes+=("cmp out.t1.$suffix out.t$n.$suffix: DIFFERENT")
      identical=no
    fi
  done
done
template_errors=$(grep -c '^{"error"' "$WORK/slice.rendered.jsonl" || true)
written=$(wc -l <"$WORK/out.t1.jsonl")
notes+=("chatfmt: $CHATFMT, CMAKE_BUILD_TYPE=${build_type:-unknown}, $("$CHATFMT" --version 2>/dev/null | head -n 1)")
notes+=("corpus: $corpus_records records, $corpus_bytes bytes (${MEGABYTES} MB target); chatfmt wrote $written, rejected $((corpus_records - written))")
notes+=("reference slice: first $slice_records corpus records ($repeats x $SOURCE), $rendered_records rendered by the template ($template_errors refused); MB/s counts the slice's input bytes")

echo >&2
"$PY" bench/measure.py report --results "$RESULTS" --markdown bench/results/latest.md \
  "${notes[@]/#/--note=}"
echo
echo "written: bench/results/latest.md"
[[ $identical == yes ]] || { echo "bench: outputs differ between thread counts" >&2; exit 1; }
