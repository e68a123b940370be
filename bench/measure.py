#!/usr/bin/env python3
"""Benchmark helper for bench/run.sh: times commands, counts their allocations, reports ratios.
Standard library only.

  measure.py run --results FILE --name NAME --kind KIND --bytes B [--records R] [--target T]
                 [--threads N] [--default] [--runs N] [--warmup W] [--mallocs LIB]
                 [--stdin FILE] [--stdout FILE] [--ok-codes 0,1] -- COMMAND [ARG ...]
      Runs COMMAND W times untimed, then (with --mallocs) once more untimed under the LD_PRELOAD
      allocation counter LIB, then N times timed, and appends one JSON line per result to FILE.
      Per timed run it records the wall time (time.perf_counter around spawn and wait), the
      command's own CPU time (getrusage via os.wait4), and the CPU time the rest of the machine
      used meanwhile (/proc/stat busy time minus the command's), in cores. Warm-up runs go
      through /usr/bin/time, when it exists, for the command's peak RSS (a Python child's own
      ru_maxrss would start at Python's RSS: Linux carries it over exec). An exit status outside
      --ok-codes aborts the benchmark. KIND is cat, wc, chatfmt, reference or startup: it tells
      the report which rows are baselines and which are compared with them; chatfmt rows name
      their --target (or "detect") and --threads, and --default marks the default target.

  measure.py rss --results FILE --name NAME --bytes B [--stdout FILE] [--ok-codes 0,1] -- COMMAND ...
      Runs COMMAND once under /usr/bin/time and records its peak RSS for an input of B bytes
      (the same row on inputs of several sizes shows whether memory grows with the input).

  measure.py malloc-check --lib LIB --program PROGRAM
      Runs PROGRAM (bench/malloc_count.c built with -DMALLOC_COUNT_CHECK), which makes a known
      number of allocations and prints "CALLS BYTES", under LIB; exits 2 unless LIB counted at
      least that many and not many more. Prints one line saying what it found.

  measure.py report --results FILE --markdown OUT [--note TEXT ...]
      Groups the results by name (so rounds may interleave commands), prints the tables and the
      ratios, and writes them to OUT as Markdown. Rates and ratios come from each row's fastest
      timed run: on a shared machine interference only ever adds time, and it comes in stretches
      that can cover several runs in a row, which moves a median of 5 but rarely the fastest.

Speed is only ever stated as ratios between rows measured in the same run: the absolute MB/s and
records/s are printed for context, not as targets.
"""
import argparse
import datetime
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

MB = 1_000_000
GNU_TIME = "/usr/bin/time"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# malloc_count_check: allocations of its own (the C runtime, dlopen of libstdc++, stdio) on top of
# the ones it makes on purpose. About 25 on Debian 12; a broken counter is off by thousands.
CHECK_SLACK_CALLS = 500


def cpu_busy_seconds():
    """Machine-wide busy CPU time so far (all CPUs; idle and iowait excluded), or None."""
    try:
        with open("/proc/stat", encoding="ascii") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except OSError:
        return None
    # user nice system idle iowait irq softirq steal [guest guest_nice: already in user/nice]
    return (sum(fields[:8]) - fields[3] - fields[4]) / CLOCK_TICKS


def run_once(command, stdin_path, stdout_path, env=None):
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    stdout = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    try:
        busy_before = cpu_busy_seconds()
        start = time.perf_counter()
        child = subprocess.Popen(command, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE, env=env)
        stderr = child.stderr.read()  # drained while it runs: a chatty child must not block
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        busy_after = cpu_busy_seconds()
        child.returncode = os.waitstatus_to_exitcode(status)
        child.stderr.close()
    finally:
        for f in (stdin, stdout):
            if f is not subprocess.DEVNULL:
                f.close()
    cpu = usage.ru_utime + usage.ru_stime
    other = None if busy_before is None else max(0.0, (busy_after - busy_before - cpu) / wall)
    return wall, cpu, other, child.returncode, stderr


def peak_rss(command, stdin_path, stdout_path):
    """Runs command once under GNU time; returns (peak RSS in bytes or None, exit code, stderr)."""
    if not os.access(GNU_TIME, os.X_OK):
        _, _, _, code, stderr = run_once(command, stdin_path, stdout_path)
        return None, code, stderr
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as report:
        _, _, _, code, stderr = run_once([GNU_TIME, "-f", "%M", "-o", report.name] + command, stdin_path, stdout_path)
        text = report.read().strip().splitlines()
    try:
        return int(text[-1]) * 1024, code, stderr
    except (IndexError, ValueError):
        return None, code, stderr


def counted_allocations(command, stdin_path, stdout_path, library):
    """Runs command once under the allocation counter; returns (calls, bytes, exit code, stderr).

    The counter appends one "CALLS BYTES" line per process at exit; none means it never ran (not
    preloaded, or the process died without exiting), which is an error, never a count of 0."""
    with tempfile.TemporaryDirectory() as scratch:
        out = os.path.join(scratch, "mallocs")
        preload = os.environ.get("LD_PRELOAD", "")
        env = {**os.environ, "LD_PRELOAD": os.path.abspath(library) + (" " + preload if preload else ""),
               "MALLOC_COUNT_OUT": out}
        _, _, _, code, stderr = run_once(command, stdin_path, stdout_path, env)
        try:
            with open(out, encoding="ascii") as f:
                lines = [line.split() for line in f if line.strip()]
        except FileNotFoundError:
            lines = []
    if not lines or not any(int(line[0]) for line in lines):
        sys.exit(f"measure.py: {shlex.join(command)} under {library}: no allocation counted "
                 "(the library was not preloaded, or the process did not exit normally)")
    return sum(int(line[0]) for line in lines), sum(int(line[1]) for line in lines), code, stderr


def shown_command(command, stdin_path, stdout_path):
    return shlex.join(command) + (f" < {stdin_path}" if stdin_path else "") + (
        f" > {stdout_path}" if stdout_path else " > /dev/null")


def split_command(args, action):
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        sys.exit(f"measure.py {action}: no command given after --")
    return command


def checker(command, ok_codes):
    ok = {int(c) for c in ok_codes.split(",")}

    def check(code, stderr):
        if code not in ok:
            sys.stderr.write(stderr.decode("utf-8", "replace"))
            sys.exit(f"measure.py: {shlex.join(command)} exited with {code} (expected one of {sorted(ok)})")

    return check


def cmd_run(args):
    command = split_command(args, "run")
    check = checker(command, args.ok_codes)
    row = {"name": args.name, "kind": args.kind, "target": args.target, "threads": args.threads,
           "default": args.default, "command": shown_command(command, args.stdin, args.stdout)}

    results = []
    rss = None
    for _ in range(args.warmup):
        peak, code, stderr = peak_rss(command, args.stdin, args.stdout)
        check(code, stderr)
        rss = peak if rss is None else max(rss, peak or 0)
    if rss is not None:
        results.append({**row, "type": "rss", "input_bytes": args.bytes, "max_rss": rss})
    if args.mallocs:
        calls, size, code, stderr = counted_allocations(command, args.stdin, args.stdout, args.mallocs)
        check(code, stderr)
        results.append({**row, "type": "mallocs", "records": args.records, "calls": calls, "bytes": size})
        per = f"{calls / args.records:,.1f} per record" if args.records else f"{calls:,} in all"
        print(f"  {args.name:<34} mallocs: {per}", file=sys.stderr)
    for _ in range(args.runs):
        wall, cpu, other, code, stderr = run_once(command, args.stdin, args.stdout)
        check(code, stderr)
        results.append({**row, "type": "timed", "bytes": args.bytes, "records": args.records,
                        "wall": wall, "cpu": cpu, "other_load": other})
        load = "" if other is None else f", rest of machine {other:.2f} cores"
        print(f"  {args.name:<34} {wall:7.3f} s  (own CPU {cpu / wall:4.0%}{load})", file=sys.stderr)
    with open(args.results, "a", encoding="utf-8") as f:
        f.writelines(json.dumps(r) + "\n" for r in results)


def cmd_rss(args):
    command = split_command(args, "rss")
    check = checker(command, args.ok_codes)
    peak, code, stderr = peak_rss(command, None, args.stdout)
    check(code, stderr)
    if peak is None:
        return
    with open(args.results, "a", encoding="utf-8") as f:
        f.write(json.dumps({"type": "rss", "name": args.name, "input_bytes": args.bytes, "max_rss": peak,
                            "command": shown_command(command, None, args.stdout)}) + "\n")
    print(f"  {args.name:<34} {args.bytes / MB:8.1f} MB in: peak RSS {peak / MB:.1f} MB", file=sys.stderr)


def cmd_malloc_check(args):
    plain = subprocess.run([args.program], capture_output=True, text=True, check=False)
    if plain.returncode != 0:
        sys.exit(f"measure.py malloc-check: {args.program} failed: {plain.stderr.strip()}")
    expected_calls, expected_bytes = (int(x) for x in plain.stdout.split())
    calls, size, code, stderr = counted_allocations([args.program], None, None, args.lib)
    if code != 0:
        sys.exit(f"measure.py malloc-check: {args.program} under {args.lib} failed: {stderr.decode().strip()}")
    verdict = (f"malloc_count check: {os.path.basename(args.program)} made {expected_calls:,} allocations "
               f"({expected_bytes:,} bytes) on purpose; {os.path.basename(args.lib)} counted {calls:,} ({size:,} bytes)")
    if not (expected_calls <= calls <= expected_calls + CHECK_SLACK_CALLS and size >= expected_bytes):
        sys.exit(f"measure.py: {verdict}: WRONG (expected {expected_calls:,} to "
                 f"{expected_calls + CHECK_SLACK_CALLS:,} calls): the allocation counts cannot be trusted")
    print(verdict + ": ok")


def fmt_rate(value):
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"


def fmt_ratio(value):
    if value is None:
        return "-"
    return f"{value:.2f}x" if value >= 1 else f"{value:.3f}x"


def fmt_mb(value):
    return f"{value / MB:,.1f} MB"


def summarize(rows):
    groups = {}
    for r in rows:
        g = groups.setdefault(r["name"], {
            "name": r["name"], "kind": r.get("kind"), "target": r.get("target"), "threads": r.get("threads"),
            "default": r.get("default"), "command": r.get("command"), "walls": [], "cpus": [], "others": [],
            "rss": {}, "mallocs": None, "bytes": 0, "records": 0})
        if r.get("kind") is not None and g["kind"] is None:
            g.update({k: r.get(k) for k in ("kind", "target", "threads", "default", "command")})
        if r["type"] == "rss":
            size = r["input_bytes"]
            g["rss"][size] = max(g["rss"].get(size, 0), r["max_rss"])
        elif r["type"] == "mallocs":
            g["mallocs"] = r
        else:
            g["bytes"], g["records"] = r["bytes"], r["records"]
            g["walls"].append(r["wall"])
            g["cpus"].append(r["cpu"])
            if r["other_load"] is not None and r["wall"] >= 0.25:  # /proc/stat ticks are 10 ms: no use on shorter runs
                g["others"].append(r["other_load"])
    out = []
    for g in groups.values():
        if not g["walls"]:
            continue
        g["median"] = statistics.median(g["walls"])
        g["best"] = min(g["walls"])
        g["cpu_share"] = statistics.median(c / w for c, w in zip(g["cpus"], g["walls"]))
        g["other"] = statistics.median(g["others"]) if g["others"] else None
        out.append(g)
    return out


def markdown_table(header, rows):
    md = ["| " + " | ".join(header) + " |", "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"]
    return md + ["| " + " | ".join(row) + " |" for row in rows]


def text_table(header, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]

    def line(cells):
        return "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    return [line(header), line(["-" * w for w in widths])] + [line(row) for row in rows]


def cmd_report(args):
    with open(args.results, encoding="utf-8") as f:
        groups = summarize([json.loads(line) for line in f if line.strip()])
    first = {}
    for g in groups:
        first.setdefault(g["kind"], g)
    cat, wc, ref, startup = first.get("cat"), first.get("wc"), first.get("reference"), first.get("startup")
    chatfmt = [g for g in groups if g["kind"] == "chatfmt"]
    one_thread = {g["target"]: g for g in chatfmt if g["threads"] == 1}

    def byte_rate(g):
        return g["bytes"] / g["best"]

    def vs(g, base):
        if g["kind"] != "chatfmt" or base is None or not g["bytes"]:
            return None
        return byte_rate(g) / byte_rate(base)

    def vs_one_thread(g):
        base = one_thread.get(g["target"])
        if g["kind"] != "chatfmt" or base is None or g is base:
            return None
        return base["best"] / g["best"]

    header = ["what", "input", "runs", "best s", "median s", "spread", "MB/s", "records/s", "vs cat", "vs wc -l",
              "vs 1 thread", "own CPU", "rest of machine", "mallocs/rec", "alloc/rec", "peak RSS"]
    table = []
    for g in groups:
        t = g["best"]
        m = g["mallocs"]
        per_record = m is not None and m["records"]
        rss = g["rss"].get(g["bytes"]) if g["bytes"] else next(iter(g["rss"].values()), None)
        table.append([
            g["name"],
            f"{g['bytes'] / MB:.1f} MB, {g['records']:,} rec" if g["records"] else
            (f"{g['bytes'] / MB:.1f} MB" if g["bytes"] else "empty"),
            str(len(g["walls"])),
            f"{t:.3f}",
            f"{g['median']:.3f}",
            f"{(max(g['walls']) - t) / t:.0%}" if len(g["walls"]) > 1 else "-",
            fmt_rate(g["bytes"] / MB / t) if g["bytes"] else "-",
            fmt_rate(g["records"] / t) if g["records"] else "-",
            fmt_ratio(vs(g, cat)),
            fmt_ratio(vs(g, wc)),
            fmt_ratio(vs_one_thread(g)),
            f"{g['cpu_share']:.0%}",
            "-" if g["other"] is None else f"{g['other']:.2f} cores",
            f"{m['calls'] / m['records']:,.1f}" if per_record else "-",
            f"{m['bytes'] / m['records'] / 1000:,.1f} KB" if per_record else "-",
            "-" if rss is None else fmt_mb(rss),
        ])

    ratios = []
    default = next((g for g in chatfmt if g["default"] and g["threads"] == 1), None)
    if default is not None and ref is not None:
        label = f"{default['name']} (the default target) vs Python+Jinja reference, per record"
        ratios.append((label, (default["records"] / default["best"]) / (ref["records"] / ref["best"])))
        if startup is not None and ref["best"] > startup["best"]:
            steady = ref["records"] / (ref["best"] - startup["best"])
            ratios.append(("  same, Python start-up and template compile subtracted",
                           (default["records"] / default["best"]) / steady))
    # Lint against converting to the default target on the same input and thread count.
    for lint_row in (g for g in chatfmt if g["target"].startswith("lint")):
        convert_row = next((g for g in chatfmt if g["default"] and g["threads"] == lint_row["threads"]), None)
        if convert_row is not None:
            ratios.append((f"{lint_row['name']} vs {convert_row['name']} (speed)", convert_row["best"] / lint_row["best"]))
    speedups = [(g, vs_one_thread(g)) for g in chatfmt if vs_one_thread(g) is not None]
    if speedups:
        low = min(speedups, key=lambda p: p[1])
        high = max(speedups, key=lambda p: p[1])
        ratios.append((f"2+ threads vs 1 thread, lowest ({low[0]['name']})", low[1]))
        ratios.append((f"2+ threads vs 1 thread, highest ({high[0]['name']})", high[1]))
    for base_name, base in (("cat", cat), ("wc -l", wc)):
        values = [(g, vs(g, base)) for g in chatfmt if vs(g, base) is not None]
        if values:
            low = min(values, key=lambda p: p[1])
            high = max(values, key=lambda p: p[1])
            ratios.append((f"chatfmt vs {base_name} (MB/s), lowest ({low[0]['name']})", low[1]))
            ratios.append((f"chatfmt vs {base_name} (MB/s), highest ({high[0]['name']})", high[1]))

    # Peak RSS of each chatfmt row for every input size measured.
    sizes = sorted({size for g in chatfmt for size in g["rss"]})
    rss_header = ["peak RSS by input size"] + [fmt_mb(s) + " in" for s in sizes] + ["largest / smallest"]
    rss_table = []
    for g in chatfmt:
        values = [g["rss"].get(s) for s in sizes]
        known = [v for v in values if v]
        rss_table.append([g["name"]] + ["-" if v is None else fmt_mb(v) for v in values] +
                         [f"{max(known) / min(known):.2f}x" if len(known) > 1 else "-"])

    loads = [g["other"] for g in groups if g["other"] is not None]
    notes = list(args.note)
    if loads and max(loads) >= 0.25:
        notes.append(f"WARNING: the rest of the machine kept up to {max(loads):.2f} of {os.cpu_count()} cores busy "
                     "during the timed runs (median per row above): the ratios that need free cores (thread "
                     "speed-up) are understated; rerun on an idle machine.")

    text = text_table(header, table) + [""]
    ratio_width = max((len(label) for label, _ in ratios), default=0)
    text += [f"{label.ljust(ratio_width)}  {fmt_ratio(value):>7}" for label, value in ratios]
    if len(sizes) > 1:
        text += [""] + text_table(rss_header, rss_table)
    text += [""] + notes
    print("\n".join(text))

    md = [
        "# chatfmt benchmark: latest run",
        "",
        f"Written by `bench/run.sh` on {datetime.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}; "
        f"{os.cpu_count()} CPUs, {platform.system()} {platform.machine()}. Rates and ratios are "
        "from each row's fastest timed run (best s; the median is shown too), and are from one run on one machine, "
        "not targets. Spread: (slowest - fastest) / fastest of the row's timed runs. \"vs cat\" and \"vs wc -l\": the row's "
        "MB/s over the baseline's (1.00x = as fast); \"vs 1 thread\": the same target's 1-thread time over "
        "this row's (fastest runs); mallocs/rec and alloc/rec: allocation calls and bytes asked for, per corpus record, "
        "from one untimed run under bench/malloc_count.c.",
        "",
    ]
    md += markdown_table(header, table)
    md += ["", "| ratio | value |", "|---|---:|"]
    md += [f"| {label.strip()} | {fmt_ratio(value)} |" for label, value in ratios]
    if len(sizes) > 1:
        md += [""] + markdown_table(rss_header, rss_table)
    md += [""] + [f"- {note}" for note in notes]
    md += ["", "Commands (temporary paths shortened to their file names):", ""]
    md += [f"- {g['name']}: `{shorten(g['command'])}`" for g in groups]
    with open(args.markdown, "w", encoding="utf-8") as f:
        f.write("\n".join(md) + "\n")


def shorten(command):
    return " ".join(os.path.basename(w) if w.startswith(tempfile.gettempdir() + "/") else w for w in command.split(" "))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="action", required=True)
    run = sub.add_parser("run")
    run.add_argument("--results", required=True)
    run.add_argument("--name", required=True)
    run.add_argument("--kind", required=True, choices=["cat", "wc", "chatfmt", "reference", "startup"])
    run.add_argument("--target", help="chatfmt rows: the target converted to, or detect")
    run.add_argument("--threads", type=int)
    run.add_argument("--default", action="store_true", help="the default target's row")
    run.add_argument("--bytes", type=int, required=True, help="input bytes the run is credited with")
    run.add_argument("--records", type=int, default=0, help="records the run is credited with")
    run.add_argument("--runs", type=int, default=1)
    run.add_argument("--warmup", type=int, default=0)
    run.add_argument("--mallocs", metavar="LIB", help="count allocations in one more untimed run under LIB")
    run.add_argument("--stdin")
    run.add_argument("--stdout")
    run.add_argument("--ok-codes", default="0")
    run.add_argument("command", nargs=argparse.REMAINDER)
    rss = sub.add_parser("rss")
    rss.add_argument("--results", required=True)
    rss.add_argument("--name", required=True)
    rss.add_argument("--bytes", type=int, required=True, help="input bytes")
    rss.add_argument("--stdout")
    rss.add_argument("--ok-codes", default="0")
    rss.add_argument("command", nargs=argparse.REMAINDER)
    check = sub.add_parser("malloc-check")
    check.add_argument("--lib", required=True)
    check.add_argument("--program", required=True)
    report = sub.add_parser("report")
    report.add_argument("--results", required=True)
    report.add_argument("--markdown", required=True)
    report.add_argument("--note", action="append", default=[])
    args = parser.parse_args()
    {"run": cmd_run, "rss": cmd_rss, "malloc-check": cmd_malloc_check, "report": cmd_report}[args.action](args)


if __name__ == "__main__":
    main()
