#!/usr/bin/env bash
# chatfmt microbenchmarks: each pipeline stage alone (bench/micro/, Google Benchmark) over the real
# sample data/samples/train.jsonl, every record per pass, one thread — line split, parse, read into
# the IR, decode each encoding, normalize, the delimiter scan, each target's writer, escaping,
# writing the output file, and the whole conversion per target. About 40 seconds on 2 cores.
# Where bench/run.sh times whole runs against baselines, this says which stage the time goes to.
#
#   bench/micro.sh [GOOGLE BENCHMARK OPTIONS...]      e.g. --benchmark_filter=writer/
#
# Environment (optional):
#   BENCH_BUILD   the build directory to take bench/chatfmt_micro from, default build
# Each benchmark runs 3 times; the table shows the median and the coefficient of variation.
# Writes bench/results/micro.json (Google Benchmark's own) and bench/results/micro.md (the table).
# Exits 2 if chatfmt_micro cannot be built or run.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=/usr/bin/python3
BUILD=${BENCH_BUILD:-build}
MICRO=$BUILD/bench/chatfmt_micro
JSON=bench/results/micro.json
TABLE=bench/results/micro.md

# Build only what is missing: build/ may belong to someone mid-change.
if [[ ! -x $MICRO ]]; then
  echo "micro: building chatfmt_micro in $BUILD (cmake --build $BUILD --target chatfmt_micro)" >&2
  if ! cmake --build "$BUILD" --target chatfmt_micro; then
    echo "micro: build failed; configure $BUILD first (tools/setup.sh configures build/)" >&2
    exit 2
  fi
fi
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$BUILD/CMakeCache.txt" 2>/dev/null || true)
if [[ -n $build_type && $build_type != Release && $build_type != RelWithDebInfo ]]; then
  echo "micro: warning: $BUILD is a '$build_type' build; figures will not represent a release build" >&2
fi

mkdir -p bench/results
# 0.3 s a repetition keeps the whole run near 40 s; a pass over the sample takes 0.01-10 ms, so
# that is still tens to thousands of passes per repetition.
"$MICRO" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true --benchmark_min_time=0.3 \
  --benchmark_out="$JSON" --benchmark_out_format=json "$@" || {
  echo "micro: $MICRO failed" >&2
  exit 2
}

"$PY" - "$JSON" "$TABLE" "${build_type:+as $build_type}" <<'EOF'
import json, sys

data = json.load(open(sys.argv[1]))
context = data["context"]
# Google Benchmark's own fields; every other number of a run is one of chatfmt_micro's counters.
STANDARD = {"real_time", "cpu_time", "iterations", "repetitions", "repetition_index", "threads",
            "family_index", "per_family_instance_index", "bytes_per_second", "items_per_second"}
rows = {}  # run name -> {"median": run, "cv": run} or {"error": message}, in the order run
for b in data["benchmarks"]:
    row = rows.setdefault(b["run_name"], {})
    if b.get("error_occurred"):
        row["error"] = b["error_message"]
    elif b.get("run_type") == "aggregate":
        row[b["aggregate_name"]] = b
    else:
        row.setdefault("median", b)  # run without --benchmark_repetitions
load = " ".join(f"{x:.2f}" for x in context.get("load_avg", []))
lines = [
    "# chatfmt microbenchmarks (bench/micro.sh)",
    "",
    f"{context['date']}; {context['num_cpus']} CPUs at {context['mhz_per_cpu']} MHz; load average {load}; "
    f"chatfmt built {sys.argv[3] or 'as ?'}.",
    "",
    "One pass is the stage over every record of data/samples/train.jsonl, on one thread. Medians of the "
    "repetitions; MB = 10^6 bytes; CPU time unless the clock says wall; cv: the time's coefficient of "
    "variation over the repetitions. Bytes credited: the records' input lines (parse, read, normalize, "
    "writer, convert), the whole file (split), the texts worked on (decode, scan, escape), the bytes "
    "written (write).",
    "",
    "| stage | ms per pass | MB/s | items/s | items | cv | clock | counts per pass |",
    "|---|---:|---:|---:|---|---:|---|---|",
]
for name, row in rows.items():
    wall = name.endswith("/real_time")
    shown = name.removesuffix("/real_time")
    if "median" not in row:
        lines.append(f"| {shown} | | | | | | | skipped: {row.get('error', 'no result')} |")
        continue
    m = row["median"]
    clock = "real_time" if wall else "cpu_time"
    cv = row.get("cv", {}).get(clock)
    counts = ", ".join(f"{k} {v:g}" for k, v in m.items() if k not in STANDARD and isinstance(v, (int, float)))
    lines.append(f"| {shown} | {m[clock]:.3f} | {m.get('bytes_per_second', 0) / 1e6:,.1f} | "
                 f"{m.get('items_per_second', 0):,.0f} | {m.get('label', '')} | "
                 f"{'-' if cv is None else f'{cv * 100:.1f}%'} | {'wall' if wall else 'CPU'} | {counts} |")
with open(sys.argv[2], "w") as out:
    out.write("\n".join(lines) + "\n")
print("\n".join(lines))
EOF
echo
echo "written: $TABLE, $JSON"
