#!/usr/bin/env python3
"""Benchmark helper for bench/run.sh: times commands and reports ratios. Standard library only.

  measure.py run --results FILE --name NAME --bytes B [--records R] [--runs N] [--warmup W]
                 [--stdin FILE] [--stdout FILE] [--ok-codes 0,1] -- COMMAND [ARG ...]
      Runs COMMAND W times untimed, then N times timed, and appends one JSON line per timed run
      to FILE. Per run it records the wall time (time.perf_counter around spawn and wait), the
      command's own CPU time (getrusage via os.wait4), and the CPU time the rest of the machine
      used meanwhile (/proc/stat busy time minus the command's), in cores. Warm-up runs go
      through /usr/bin/time, when it exists, for the command's peak RSS (a Python child's own
      ru_maxrss would start at Python's RSS: Linux carries it over exec). An exit status
      outside --ok-codes aborts the benchmark.

  measure.py report --results FILE --markdown OUT [--note TEXT ...]
      Groups the runs by name (so rounds may interleave commands), prints the table and the
      ratios, and writes them to OUT as Markdown.

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


def cpu_busy_seconds():
    """Machine-wide busy CPU time so far (all CPUs; idle and iowait excluded), or None."""
    try:
        with open("/proc/stat", encoding="ascii") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except OSError:
        return None
    # user nice system idle iowait irq softirq steal [guest guest_nice: already in user/nice]
    return (sum(fields[:8]) - fields[3] - fields[4]) / CLOCK_TICKS


def run_once(command, stdin_path, stdout_path):
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    stdout = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    try:
        busy_before = cpu_busy_seconds()
        start = time.perf_counter()
        child = subprocess.Popen(command, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE)
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


def peak_rss(command, stdin_path, stdout_path, ok_codes):
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


def cmd_run(args):
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        sys.exit("measure.py run: no command given after --")
    ok_codes = {int(c) for c in args.ok_codes.split(",")}

    def check(code, stderr):
        if code not in ok_codes:
            sys.stderr.write(stderr.decode("utf-8", "replace"))
            sys.exit(f"measure.py: {shlex.join(command)} exited with {code} (expected one of {sorted(ok_codes)})")

    rss = None
    for _ in range(args.warmup):
        peak, code, stderr = peak_rss(command, args.stdin, args.stdout, ok_codes)
        check(code, stderr)
        rss = peak if rss is None else max(rss, peak or 0)
    shown = shlex.join(command) + (f" < {args.stdin}" if args.stdin else "") + (
        f" > {args.stdout}" if args.stdout else " > /dev/null")
    with open(args.results, "a", encoding="utf-8") as f:
        if rss is not None:
            f.write(json.dumps({"name": args.name, "command": shown, "max_rss": rss}) + "\n")
        for _ in range(args.runs):
            wall, cpu, other, code, stderr = run_once(command, args.stdin, args.stdout)
            check(code, stderr)
            f.write(json.dumps({"name": args.name, "command": shown, "bytes": args.bytes, "records": args.records,
                                "wall": wall, "cpu": cpu, "other_load": other}) + "\n")
            load = "" if other is None else f", rest of machine {other:.2f} cores"
            print(f"  {args.name:<28} {wall:7.3f} s  (own CPU {cpu / wall:4.0%}{load})", file=sys.stderr)


def fmt_rate(value):
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"


def fmt_ratio(value):
    return f"{value:.2f}x" if value >= 1 else f"{value:.3f}x"


def summarize(rows):
    groups = {}
    for r in rows:
        g = groups.setdefault(r["name"], {"name": r["name"], "command": r["command"], "walls": [], "cpus": [],
                                          "others": [], "max_rss": None, "bytes": 0, "records": 0})
        if "max_rss" in r:
            g["max_rss"] = r["max_rss"] if g["max_rss"] is None else max(g["max_rss"], r["max_rss"])
            continue
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
        g["cpu_share"] = statistics.median(c / w for c, w in zip(g["cpus"], g["walls"]))
        g["other"] = statistics.median(g["others"]) if g["others"] else None
        out.append(g)
    return out


def cmd_report(args):
    with open(args.results, encoding="utf-8") as f:
        groups = summarize([json.loads(line) for line in f if line.strip()])
    by_name = {g["name"]: g for g in groups}

    header = ["what", "input", "runs", "median s", "MB/s", "records/s", "own CPU", "rest of machine", "peak RSS"]
    table = []
    for g in groups:
        t = g["median"]
        table.append([
            g["name"],
            f"{g['bytes'] / MB:.1f} MB, {g['records']:,} rec" if g["records"] else
            (f"{g['bytes'] / MB:.1f} MB" if g["bytes"] else "empty"),
            str(len(g["walls"])),
            f"{t:.3f}",
            fmt_rate(g["bytes"] / MB / t) if g["bytes"] else "-",
            fmt_rate(g["records"] / t) if g["records"] else "-",
            f"{g['cpu_share']:.0%}",
            "-" if g["other"] is None else f"{g['other']:.2f} cores",
            "-" if g["max_rss"] is None else f"{g['max_rss'] / MB:.1f} MB",
        ])

    def rec_rate(name):
        return by_name[name]["records"] / by_name[name]["median"]

    def byte_rate(name):
        return by_name[name]["bytes"] / by_name[name]["median"]

    ratios = []
    t1, ref, startup, floor = "chatfmt --threads 1", "python+jinja reference", "python+jinja startup only", "cat (I/O floor)"
    if t1 in by_name and ref in by_name:
        ratios.append(("chatfmt 1 thread vs Python+Jinja reference, per record", rec_rate(t1) / rec_rate(ref)))
        if startup in by_name and by_name[ref]["median"] > by_name[startup]["median"]:
            steady = by_name[ref]["records"] / (by_name[ref]["median"] - by_name[startup]["median"])
            ratios.append(("  same, Python start-up and template compile subtracted", rec_rate(t1) / steady))
    for g in groups:
        if g["name"].startswith("chatfmt --threads ") and g["name"] != t1 and t1 in by_name:
            ratios.append((f"chatfmt {g['name'].split()[-1]} threads vs 1 thread (speed-up)",
                           by_name[t1]["median"] / g["median"]))
    if floor in by_name:
        for g in groups:
            if g["name"].startswith("chatfmt --threads "):
                ratios.append((f"{g['name']} vs cat floor (MB/s; 1.00 = as fast as cat)",
                               byte_rate(g["name"]) / byte_rate(floor)))

    loads = [g["other"] for g in groups if g["other"] is not None]
    notes = list(args.note)
    if loads and max(loads) >= 0.25:
        notes.append(f"WARNING: the rest of the machine kept up to {max(loads):.2f} of {os.cpu_count()} cores busy "
                     "during the timed runs (median per row above): the ratios that need free cores (thread "
                     "speed-up) are understated; rerun on an idle machine.")

    widths = [max(len(str(x)) for x in col) for col in zip(header, *table)]

    def line(cells):
        return "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    text = [line(header), line(["-" * w for w in widths])] + [line(row) for row in table] + [""]
    ratio_width = max((len(label) for label, _ in ratios), default=0)
    text += [f"{label.ljust(ratio_width)}  {fmt_ratio(value):>7}" for label, value in ratios]
    text += [""] + notes
    print("\n".join(text))

    md = [
        "# chatfmt benchmark: latest run",
        "",
        f"Written by `bench/run.sh` on {datetime.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}; "
        f"{os.cpu_count()} CPUs, {platform.system()} {platform.machine()}. Median wall time per row; the "
        "figures are ratios from one run on one machine, not targets.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|",
    ]
    md += ["| " + " | ".join(row) + " |" for row in table]
    md += ["", "| ratio | value |", "|---|---:|"]
    md += [f"| {label.strip()} | {fmt_ratio(value)} |" for label, value in ratios]
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
    run.add_argument("--bytes", type=int, required=True, help="input bytes the run is credited with")
    run.add_argument("--records", type=int, default=0, help="records the run is credited with")
    run.add_argument("--runs", type=int, default=1)
    run.add_argument("--warmup", type=int, default=0)
    run.add_argument("--stdin")
    run.add_argument("--stdout")
    run.add_argument("--ok-codes", default="0")
    run.add_argument("command", nargs=argparse.REMAINDER)
    report = sub.add_parser("report")
    report.add_argument("--results", required=True)
    report.add_argument("--markdown", required=True)
    report.add_argument("--note", action="append", default=[])
    args = parser.parse_args()
    if args.action == "run":
        cmd_run(args)
    else:
        cmd_report(args)


if __name__ == "__main__":
    main()
