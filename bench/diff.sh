#!/usr/bin/env bash
# chatfmt diff at scale: two versions built from Phase 27 and Phase 28 (make_corpus.py --distinct:
# each repetition's prompts its own, so the versions hold the real data's mix of unchanged,
# changed, added and removed records, MEGABYTES each), diffed under /usr/bin/time. Peak RSS must
# follow the record count (a few hashes and an excerpt per record), never the bytes read; the time
# is shown beside `chatfmt stats` of the same two versions (reading and summarizing, no matching).
#   bench/diff.sh [MEGABYTES...]     (default: 100 1000; 1000 takes about 4 GB of disk and a minute)
# Prints a table and writes bench/results/diff.md.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
((${#sizes[@]})) || sizes=(100 1000)
[[ -x build/chatfmt ]] || cmake --build build --target chatfmt >/dev/null
work=$(mktemp -d "${TMPDIR:-/tmp}/chatfmt-bench-diff.XXXXXX")
trap 'rm -rf "$work"' EXIT
rows=()
for mb in "${sizes[@]}"; do
  mkdir -p "$work/old" "$work/new"
  for split in train valid; do
    /usr/bin/python3 tools/make_corpus.py "data/samples/$split.jsonl" "$work/old/$split.jsonl" --distinct \
      --megabytes "$(/usr/bin/python3 -c "print($mb * (0.9 if '$split' == 'train' else 0.1))")" 2>/dev/null
    /usr/bin/python3 tools/make_corpus.py "tests/data/phase28_merged/$split.jsonl" "$work/new/$split.jsonl" --distinct \
      --megabytes "$(/usr/bin/python3 -c "print($mb * (0.9 if '$split' == 'train' else 0.1))")" 2>/dev/null
  done
  cat "$work"/old/*.jsonl "$work"/new/*.jsonl >/dev/null # into the page cache
  records=$(cat "$work"/old/*.jsonl "$work"/new/*.jsonl | wc -l)
  /usr/bin/time -f "%e %M" -o "$work/stats.time" build/chatfmt stats "$work/old" "$work/new" --format json -q \
    >/dev/null
  /usr/bin/time -f "%e %M" -o "$work/diff.time" build/chatfmt diff "$work/old" "$work/new" --format json -q \
    >"$work/diff.json"
  read -r stats_s stats_kb <"$work/stats.time"
  read -r diff_s diff_kb <"$work/diff.time"
  matched=$(/usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["records"]; print(", ".join(f"{k} {v}" for k, v in r.items()))' "$work/diff.json")
  rows+=("| $mb + $mb MB | $records | $stats_s | $diff_s | $((stats_kb / 1024)) MB | $((diff_kb / 1024)) MB | $(/usr/bin/python3 -c "print(f'{$diff_kb * 1024 / $records:.0f}')") | $matched |")
  echo "bench/diff.sh: $mb MB each: diff $diff_s s, peak RSS $((diff_kb / 1024)) MB, $records records" >&2
  rm -rf "$work/old" "$work/new"
done
{
  echo "# chatfmt diff at scale"
  echo
  echo "Written by \`bench/diff.sh\` on $(date -u '+%Y-%m-%d %H:%M') UTC, $(nproc) CPUs, at $(git rev-parse --short HEAD 2>/dev/null || echo '?'). Two versions, each MEGABYTES of"
  echo "Phase 27 (old) and Phase 28 (new) repeated with each repetition's prompts its own (90% train, 10% valid)."
  echo
  echo "| versions | records (both) | stats s | diff s | stats peak RSS | diff peak RSS | diff RSS bytes per record | matched |"
  echo "|---|---:|---:|---:|---:|---:|---:|---|"
  printf '%s\n' "${rows[@]}"
} >bench/results/diff.md
cat bench/results/diff.md
