#!/usr/bin/env bash
# chatfmt benchmark: one command, deterministic inputs, bounded time (about 3 minutes on 2 idle
# cores with the defaults: untimed runs 42 s, 5 timed rounds of 25 s, peak RSS at 100 MB 11 s). Speed is reported as ratios to baselines measured in this same run
# (docs/performance.md): every target of `chatfmt formats --json` and detect, on 1 and 2 threads,
# against cat, wc -l and a Python+Jinja converter, with allocations per record and peak RSS.
#
#   bench/run.sh
#
# Environment (optional):
#   BENCH_MEGABYTES      corpus size in MB (10^6 bytes); default: 300 repetitions of the sample
#                        (data/samples/train.jsonl: 300 x 993 records, 208 MB)
#   BENCH_RUNS           timed rounds (each times every row once, cat and wc -l twice), default 5
#   BENCH_SLICE          records for the Python+Jinja reference, default about 2000
#   BENCH_RSS_MEGABYTES  the second input size at which peak RSS is measured, default 100
#   BENCH_RSS_SCALING=1  also measure peak RSS on a 1000 MB corpus (about 100 s more, 2 GB
#                        of temporary disk)
#   BENCH_BUILD          the build directory to take chatfmt and bench/libmalloc_count.so from,
#                        default build
# Prints a table and writes bench/results/latest.md. Exits 1 if the outputs of different thread
# counts are not byte-identical, 2 if something could not be run.
set -euo pipefail
cd "$(dirname "$0")/.."

started=$EPOCHREALTIME
PY=/usr/bin/python3
BUILD=${BENCH_BUILD:-build}
CHATFMT=$BUILD/chatfmt
MALLOC_LIB=$BUILD/bench/libmalloc_count.so
MALLOC_CHECK=$BUILD/bench/malloc_count_check
SOURCE=data/samples/train.jsonl
TEMPLATE=tests/reference/mistral-common/chat_templates/v13.jinja
ORACLE=tools/oracle/render_chat_template.py
REPEATS=300
RUNS=${BENCH_RUNS:-5}
SLICE_TARGET=${BENCH_SLICE:-2000}
RSS_MEGABYTES=${BENCH_RSS_MEGABYTES:-100}
RSS_SCALING=${BENCH_RSS_SCALING:-0}
LARGE_MEGABYTES=1000
CORES=$(nproc)

elapsed() { # SINCE: whole seconds since an $EPOCHREALTIME
  "$PY" -c 'import sys; print(f"{float(sys.argv[2]) - float(sys.argv[1]):.0f}")' "$1" "$EPOCHREALTIME"
}

# Build only what is missing: build/ may belong to someone mid-change.
missing=()
[[ -x $CHATFMT ]] || missing+=(chatfmt)
[[ -f $MALLOC_LIB && -x $MALLOC_CHECK ]] || missing+=(malloc_count malloc_count_check)
if ((${#missing[@]})); then
  echo "bench: building ${missing[*]} in $BUILD (cmake --build $BUILD --target ...)" >&2
  if ! cmake --build "$BUILD" --target "${missing[@]}"; then
    echo "bench: build failed; configure $BUILD first (tools/setup.sh configures build/)" >&2
    exit 2
  fi
fi
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$BUILD/CMakeCache.txt" 2>/dev/null || true)
if [[ -n $build_type && $build_type != Release && $build_type != RelWithDebInfo ]]; then
  echo "bench: warning: $BUILD is a '$build_type' build; figures will not represent a release build" >&2
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/chatfmt-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
RESULTS=$WORK/results.jsonl
mkdir -p bench/results

# The allocation counter must count: a known number of calls, operator new included.
malloc_verdict=$("$PY" bench/measure.py malloc-check --lib "$MALLOC_LIB" --program "$MALLOC_CHECK") || exit 2
echo "bench: $malloc_verdict" >&2

# The corpus: REPEATS whole repetitions of the sample unless BENCH_MEGABYTES says otherwise
# (make_corpus.py stops at the first line that reaches the size: given REPEATS times the sample's
# bytes, it stops at the end of the last repetition).
source_bytes=$("$PY" -c 'import sys; print(sum(len(l.rstrip(b"\r\n")) + 1 for l in open(sys.argv[1], "rb") if l.strip()))' "$SOURCE")
MEGABYTES=${BENCH_MEGABYTES:-$("$PY" -c 'import sys; print(int(sys.argv[1]) * int(sys.argv[2]) / 1e6)' "$source_bytes" "$REPEATS")}
phase=$EPOCHREALTIME
echo "bench: building a ${MEGABYTES} MB corpus from $SOURCE" >&2
# --distinct: each repetition's user prompts marked as its own, so the corpus is the sample's mix of
# duplicates and findings at scale, not one duplicate per record (lint's cost follows its findings).
"$PY" tools/make_corpus.py "$SOURCE" "$WORK/corpus.jsonl" --megabytes "$MEGABYTES" --distinct
CORPUS=$WORK/corpus.jsonl
corpus_bytes=$(stat -c %s "$CORPUS")
corpus_records=$(wc -l <"$CORPUS")
cat "$CORPUS" >/dev/null # into the page cache

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
  >"$WORK/slice.log" 2>&1 || (($? == 1)) || {
  cat "$WORK/slice.log" >&2
  echo "bench: chatfmt --to openai failed" >&2
  exit 2
}
rendered_records=$(wc -l <"$WORK/slice.openai.jsonl")
corpus_seconds=$(elapsed "$phase")

# The targets, from the table of formats, so a new target gets its rows without editing this:
# one line per target, "NAME<TAB>default or -<TAB>OPTION<TAB>OPTION...", options being the ones
# the target needs (mistral-v3: --drop-text-with-tool-calls).
targets=()
declare -A target_options target_default
while IFS=$'\t' read -r -a fields; do
  name=${fields[0]}
  targets+=("$name")
  target_default[$name]=${fields[1]}
  target_options[$name]=$(IFS=$'\t' && echo "${fields[*]:2}")
done < <("$CHATFMT" formats --json | "$PY" -c '
import json, sys
for t in json.load(sys.stdin)["targets"]:
    print("\t".join([t["name"], "default" if t["default"] else "-", *t.get("options", [])]))')
((${#targets[@]})) || {
  echo "bench: $CHATFMT formats --json listed no targets" >&2
  exit 2
}
default_alias=$("$CHATFMT" formats --json | "$PY" -c '
import json, sys
print(" ".join(a for t in json.load(sys.stdin)["targets"] if t["default"] for a in t["aliases"]))')

thread_counts=(1 2)
if ((CORES > 2)); then thread_counts+=("$CORES"); fi

# Rows: "cat", "wc", "convert TARGET N", "detect - N", "lint - N", "lint template N", "startup",
# "reference".
rows=(cat wc)
for target in "${targets[@]}"; do
  for n in "${thread_counts[@]}"; do rows+=("convert $target $n"); done
done
for n in "${thread_counts[@]}"; do rows+=("detect - $n"); done
for n in "${thread_counts[@]}"; do rows+=("lint - $n"); done
for n in "${thread_counts[@]}"; do rows+=("lint template $n"); done
rows+=(startup reference)

# row_args ROW INPUT: sets NAME, ARGS (measure.py options) and CMD (the command) for ROW on INPUT.
row_args() {
  local kind target threads input=$2 bytes records
  read -r kind target threads <<<"$1"
  bytes=$corpus_bytes
  records=$corpus_records
  if [[ $input != "$CORPUS" ]]; then
    bytes=$(stat -c %s "$input")
    records=$(wc -l <"$input")
  fi
  case $kind in
    cat)
      NAME="cat (I/O floor)"
      ARGS=(--kind cat --bytes "$bytes")
      CMD=(cat "$input")
      ;;
    wc)
      NAME="wc -l"
      ARGS=(--kind wc --bytes "$bytes")
      CMD=(wc -l "$input")
      ;;
    convert)
      local options=()
      [[ -z ${target_options[$target]} ]] || IFS=$'\t' read -r -a options <<<"${target_options[$target]}"
      NAME="convert $target --threads $threads"
      ARGS=(--kind chatfmt --target "$target" --threads "$threads" --bytes "$bytes" --records "$records" --ok-codes 0,1)
      [[ ${target_default[$target]} != default ]] || ARGS+=(--default)
      CMD=("$CHATFMT" convert "$input" -o "$WORK/out.$target.t$threads.jsonl" --to "$target" "${options[@]}"
        --threads "$threads" --quiet)
      ;;
    detect)
      NAME="detect --threads $threads"
      ARGS=(--kind chatfmt --target detect --threads "$threads" --bytes "$bytes" --records "$records" --ok-codes 0,1
        --stdout "$WORK/detect.t$threads.txt")
      CMD=("$CHATFMT" detect "$input" --threads "$threads" --quiet)
      ;;
    lint)
      # Every rule that runs without a tokenizer; "template": template drift too, lint's heaviest
      # path (two more renderings of every record, and a finding for most of them).
      local template=()
      [[ $target != template ]] || template=(--template qwen3-coder)
      NAME="lint${template[*]:+ ${template[*]}} --threads $threads"
      ARGS=(--kind chatfmt --target "lint${template[*]:+-template}" --threads "$threads" --bytes "$bytes"
        --records "$records" --ok-codes 0,1 --stdout "$WORK/lint.$target.t$threads.txt")
      CMD=("$CHATFMT" lint "$input" "${template[@]}" --format json --threads "$threads" --quiet)
      ;;
    startup)
      NAME="python+jinja startup only"
      ARGS=(--kind startup --bytes 0 --stdin /dev/null)
      CMD=("$PY" "$ORACLE" "$TEMPLATE" --arguments string)
      ;;
    reference)
      NAME="python+jinja reference"
      ARGS=(--kind reference --bytes "$slice_bytes" --records "$rendered_records"
        --stdin "$WORK/slice.openai.jsonl" --stdout "$WORK/slice.rendered.jsonl")
      CMD=("$PY" "$ORACLE" "$TEMPLATE" --arguments string)
      ;;
  esac
}

# compare_outputs TARGET WHEN: the outputs of TARGET (or detect) for every thread count against
# the 1-thread ones, byte for byte (convert: output and rejects files; detect: its report); then
# removes them, so the machine holds no other row's output and every run starts without an output
# file to replace. Called right after the target's last row.
differences=()
pairs=0
written=()
compare_outputs() {
  local target=$1 n a b suffix
  if [[ $2 == "untimed runs" && $target != detect && $target != lint* ]]; then
    written+=("$target $(wc -l <"$WORK/out.$target.t1.jsonl")/$(wc -l <"$WORK/out.$target.t1.rejects.jsonl")")
  fi
  for n in "${thread_counts[@]:1}"; do
    for suffix in jsonl rejects.jsonl; do
      a=$WORK/out.$target.t1.$suffix b=$WORK/out.$target.t$n.$suffix
      [[ $target != detect ]] || a=$WORK/$target.t1.txt b=$WORK/$target.t$n.txt
      [[ $target != lint* ]] || a=$WORK/$target.t1.txt b=$WORK/$target.t$n.txt
      [[ ($target != detect && $target != lint*) || $suffix == jsonl ]] || continue
      pairs=$((pairs + 1))
      cmp -s "$a" "$b" || differences+=("$2: $(basename "$a") and $(basename "$b") DIFFER")
    done
  done
  rm -f "$WORK"/out.* "$WORK"/detect.t* "$WORK"/lint.*
}

# after_row ROW WHEN: compares a target's outputs once its last thread count has run.
after_row() {
  local kind target threads
  read -r kind target threads <<<"$1"
  [[ $kind == convert || $kind == detect || $kind == lint ]] || return 0
  [[ $threads == "${thread_counts[-1]}" ]] || return 0
  [[ $kind != detect ]] || target=detect
  [[ $kind != lint ]] || target=lint.$target
  compare_outputs "$target" "$2"
}

measure() { "$PY" bench/measure.py run --results "$RESULTS" "$@"; }

# 1. Untimed: each row once under /usr/bin/time (peak RSS; also warms the page cache and the
#    binaries), and each chatfmt row once more under the allocation counter.
phase=$EPOCHREALTIME
echo "bench: untimed runs: peak RSS, allocations per record" >&2
for row in "${rows[@]}"; do
  row_args "$row" "$CORPUS"
  extra=()
  [[ ${ARGS[1]} != chatfmt ]] || extra=(--mallocs "$MALLOC_LIB")
  measure --name "$NAME" "${ARGS[@]}" --warmup 1 --runs 0 "${extra[@]}" -- "${CMD[@]}"
  after_row "$row" "untimed runs"
done
untimed_seconds=$(elapsed "$phase")

# 2. Timed: rounds interleave the rows, so a burst of load from elsewhere on the machine lands on
#    every row rather than on one.
phase=$EPOCHREALTIME
echo "bench: timing, $RUNS rounds ($CORES cores)" >&2
for ((round = 1; round <= RUNS; round++)); do
  echo "bench: round $round of $RUNS" >&2
  for row in "${rows[@]}"; do
    row_args "$row" "$CORPUS"
    runs=1
    [[ ${ARGS[1]} != cat && ${ARGS[1]} != wc ]] || runs=2
    measure --name "$NAME" "${ARGS[@]}" --runs "$runs" -- "${CMD[@]}"
    after_row "$row" "round $round"
  done
done
timed_seconds=$(elapsed "$phase")

# 3. Peak RSS of the chatfmt rows at other input sizes: memory must not grow with the input.
phase=$EPOCHREALTIME
rss_sizes=()
if [[ $RSS_MEGABYTES != "$MEGABYTES" ]]; then rss_sizes+=("$RSS_MEGABYTES"); fi
if [[ $RSS_SCALING == 1 ]]; then rss_sizes+=("$LARGE_MEGABYTES"); fi
rss_parts=()
for megabytes in "${rss_sizes[@]}"; do
  size_started=$EPOCHREALTIME
  echo "bench: peak RSS on a $megabytes MB corpus" >&2
  "$PY" tools/make_corpus.py "$SOURCE" "$WORK/rss.jsonl" --megabytes "$megabytes" --distinct
  for row in "${rows[@]}"; do
    [[ $row == convert* || $row == detect* || $row == lint* ]] || continue
    row_args "$row" "$WORK/rss.jsonl"
    "$PY" bench/measure.py rss --results "$RESULTS" --name "$NAME" --bytes "$(stat -c %s "$WORK/rss.jsonl")" \
      --ok-codes 0,1 -- "${CMD[@]}"
    rm -f "$WORK"/out.* "$WORK"/lint.* "$WORK"/detect.t*
  done
  rm -f "$WORK/rss.jsonl"
  rss_parts+=("$megabytes MB: $(elapsed "$size_started") s")
done
rss_seconds=$(elapsed "$phase")

notes=()
if ((${#differences[@]})); then
  notes+=("${differences[@]}")
else
  notes+=("identity: $((pairs / (RUNS + 1))) pairs of files (output and rejects of each target, detect's and lint's reports; ${thread_counts[*]:1} threads vs 1) byte-identical, compared after each target's rows in the untimed runs and in each of the $RUNS rounds")
fi
template_errors=$(grep -c '^{"error"' "$WORK/slice.rendered.jsonl" || true)
default_target=
for target in "${targets[@]}"; do [[ ${target_default[$target]} != default ]] || default_target=$target; done
notes+=("chatfmt: $CHATFMT, CMAKE_BUILD_TYPE=${build_type:-unknown}, $("$CHATFMT" --version 2>/dev/null | head -n 1); default target $default_target${default_alias:+ (alias $default_alias)}")
notes+=("corpus: $corpus_records records, $corpus_bytes bytes (${MEGABYTES} MB target; $(awk -v r="$corpus_records" -v s="$source_records" 'BEGIN { printf "%.2f", r / s }') x the $source_records records of $SOURCE)")
notes+=("written/rejected records (1 thread): ${written[*]/%/,}")
notes[-1]=${notes[-1]%,}
for target in "${targets[@]}"; do
  [[ -z ${target_options[$target]} ]] || notes+=("convert $target runs with ${target_options[$target]//$'\t'/ } (the options chatfmt formats --json lists for it)")
done
slice_what="$repeats x $SOURCE"
((slice_records == repeats * source_records)) || slice_what="the whole corpus"
notes+=("reference slice: first $slice_records corpus records ($slice_what), $rendered_records rendered by the template ($template_errors refused); MB/s counts the slice's input bytes")
notes+=("$malloc_verdict")
rss_sizes_shown=none
((${#rss_sizes[@]} == 0)) || rss_sizes_shown=$(IFS=, && echo "${rss_parts[*]}")
total_seconds=$(elapsed "$started")
notes+=("run time: $total_seconds s in all: corpus and slice ${corpus_seconds} s, untimed runs (peak RSS, allocations) ${untimed_seconds} s, $RUNS timed rounds ${timed_seconds} s, peak RSS at other input sizes ${rss_seconds} s ($rss_sizes_shown)")

echo >&2
"$PY" bench/measure.py report --results "$RESULTS" --markdown bench/results/latest.md \
  "${notes[@]/#/--note=}"
echo
echo "written: bench/results/latest.md"
((${#differences[@]} == 0)) || {
  echo "bench: outputs differ between thread counts" >&2
  exit 1
}
