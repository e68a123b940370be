#!/usr/bin/env python3
"""Tool results written as role "tool" messages in <tool_response> tags, or as "Tool result: …" user
turns, must convert exactly like the canonical encoding of the same conversation.

  run_tool_result_shapes.py CHATFMT [INPUT.jsonl ...] [--only shapes|edge-cases]

Shapes (real records): tools/make_tool_result_shapes.py writes the records of INPUT (default: the
real Punie Phase 27 records in data/samples) that have tool results in five line-aligned files.
For every target `chatfmt convert --help` lists, each shape file must give the same output bytes
and the same rejects (line and rule) as its canonical counterpart:

  tool_role_tagged, prefix_messages  against canonical_messages  (<tool_response> blocks in user turns)
  prefix_chatml                      against canonical_chatml
  canonical_chatml                   against canonical_messages  (the generator's ChatML is the same conversation)

`chatfmt detect --json` must count the new encoding for every readable record of a shape file, and
none in the canonical files. Then tests/differential/run_differential.py renders the shape files
through every official template.

Edge cases (tests/fixtures/tool_result_edge_cases.jsonl): each line converted to openai with the
options of EDGE_CASES below, compared message by message (or rule and reason for a rejection).

Exit status 0 when everything agrees, 1 on any difference or when nothing was checked.
"""
import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
GENERATOR = os.path.join(ROOT, "tools", "make_tool_result_shapes.py")
TEMPLATE_DIFFERENTIAL = os.path.join(HERE, "run_differential.py")
EDGE_CASES_FILE = os.path.join(ROOT, "tests", "fixtures", "tool_result_edge_cases.jsonl")

# (shape file, the canonical file it must convert exactly like)
PAIRS = [
    ("canonical_chatml", "canonical_messages"),
    ("tool_role_tagged", "canonical_messages"),
    ("prefix_messages", "canonical_messages"),
    ("prefix_chatml", "canonical_chatml"),
]
CANONICAL = ["canonical_messages", "canonical_chatml"]
# The encoding `detect` must report for every readable record of a shape file.
NEW_ENCODINGS = {
    "tool_role_tagged": "tool-role-tagged",
    "prefix_messages": "tool-result-prefix",
    "prefix_chatml": "tool-result-prefix",
}
# Extra runs of a target with options that change what it writes (v3 otherwise refuses most
# Punie records, which have text before their calls, and would render few results).
TARGET_VARIANTS = {"mistral-v3": [["--drop-text-with-tool-calls"]]}
MAX_EXAMPLES = 8


class ChatfmtFailed(Exception):
    """chatfmt exited with neither 0 nor 1: options refused, or a crash."""


# --------------------------------------------------------------------------------------------------
# Running chatfmt


def targets_from_help(chatfmt):
    """Target names from the one table of formats (`chatfmt formats --json`), so that a new target
    is covered without touching this test; an alias is the same writer and is not run again."""
    result = subprocess.run([chatfmt, "formats", "--json"], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"cannot read the targets from `{chatfmt} formats --json` (exit {result.returncode})")
    return [target["name"] for target in json.loads(result.stdout)["targets"]]


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def count_records(path):
    with open(path, "rb") as f:
        return sum(1 for line in f if line.strip())


def convert(chatfmt, source, target, extra, workdir):
    """Converts a file; returns (output bytes, {line: reject})."""
    out = os.path.join(workdir, "out.jsonl")
    rejects = os.path.join(workdir, "out.rejects.jsonl")
    cmd = [chatfmt, "convert", source, "-o", out, "--rejects", rejects, "--to", target, "--quiet", "--threads", "2"]
    result = subprocess.run(cmd + extra, capture_output=True, text=True)
    if result.returncode not in (0, 1):
        raise ChatfmtFailed(f"exit {result.returncode}: {' '.join(cmd + extra)}: "
                            + " / ".join(result.stderr.strip().splitlines()))
    with open(out, "rb") as f:
        output = f.read()
    return output, {r["line"]: r for r in read_jsonl(rejects)}


def outcomes(output, rejects, records):
    """Per source line: ("converted", output line) or ("rejected", rule, reason)."""
    written = iter(output.split(b"\n"))
    result = []
    for line in range(1, records + 1):
        if line in rejects:
            result.append(("rejected", rejects[line]["rule"], rejects[line]["reason"]))
        else:
            result.append(("converted", next(written, None)))
    return result


# --------------------------------------------------------------------------------------------------
# Shapes


def generate(inputs, shapes_dir):
    result = subprocess.run([sys.executable, GENERATOR, shapes_dir] + inputs, capture_output=True, text=True)
    print(result.stdout.rstrip())
    if result.returncode != 0:
        sys.exit(f"the generator failed (exit {result.returncode}): {result.stderr.strip()}")


def describe(outcome):
    if outcome[0] == "converted":
        return "converted"
    reason = outcome[2] if len(outcome[2]) <= 160 else outcome[2][:160] + "…"
    return f"rejected {outcome[1]} ({reason})"


def compare_pair(shape, canonical, label, failures, kinds):
    """Compares two files' outcomes line by line; returns (identical outputs, rejected alike).

    One failure per pair (with its first differing line) keeps the report readable when a whole
    file differs; kinds counts every differing line by what happened to it.
    """
    identical = rejected_alike = 0
    differing = []
    for line, (mine, theirs) in enumerate(zip(shape, canonical), 1):
        if mine == theirs or (mine[0] == theirs[0] == "rejected" and mine[1] == theirs[1]):
            identical += mine[0] == "converted"
            rejected_alike += mine[0] == "rejected"
            continue
        if mine[0] == theirs[0] == "converted":
            kinds[f"{label}: output differs"] += 1
        else:
            kinds[f"{label}: canonical {brief(theirs)}, here {brief(mine)}"] += 1
        if mine[0] == theirs[0] == "converted":
            differing.append(f"line {line}: output differs {first_difference(theirs[1], mine[1])}")
        else:
            differing.append(f"line {line}: canonical {describe(theirs)}; here {describe(mine)}")
    if differing:
        failures.append(f"{label}: {len(differing)} lines differ from the canonical file; first {differing[0]}")
    return identical, rejected_alike


def first_difference(canonical, mine):
    """Where two output lines part, with a little context: enough to see which value differs."""
    canonical, mine = canonical or b"", mine or b""
    at = next((i for i, (a, b) in enumerate(zip(canonical, mine)) if a != b), min(len(canonical), len(mine)))
    start = max(0, at - 40)
    return (f"at byte {at}: canonical {canonical[start:at + 40].decode(errors='replace')!r}, "
            f"here {mine[start:at + 40].decode(errors='replace')!r}")


def brief(outcome):
    return outcome[0] if outcome[0] == "converted" else f"rejected {outcome[1]}"


def check_targets(chatfmt, shapes_dir, records, failures):
    """Every target: each shape file against its canonical file. Returns the records compared."""
    targets = targets_from_help(chatfmt)
    print(f"targets from `chatfmt convert --help`: {', '.join(targets) or 'none'}")
    if not targets:
        failures.append("`chatfmt convert --help` lists no target under --to")
    compared = 0
    kinds = collections.Counter()
    with tempfile.TemporaryDirectory() as workdir:
        for target in targets:
            for extra in [[]] + TARGET_VARIANTS.get(target, []):
                label = " ".join([target] + extra)
                results = {}
                for name in CANONICAL + list(NEW_ENCODINGS):
                    path = os.path.join(shapes_dir, name + ".jsonl")
                    output, rejects = convert(chatfmt, path, target, extra, workdir)
                    results[name] = (output, rejects)
                for shape, canonical in PAIRS:
                    (out_s, rej_s), (out_c, rej_c) = results[shape], results[canonical]
                    pair = f"{shape} [{label}]"
                    identical, alike = compare_pair(outcomes(out_s, rej_s, records), outcomes(out_c, rej_c, records),
                                                    pair, failures, kinds)
                    if out_s != out_c and identical + alike == records:
                        failures.append(f"{pair}: the output file differs from {canonical}'s, though no line does")
                    compared += identical + alike
                    print(f"  {pair}: {identical} outputs identical, {alike} rejected alike "
                          f"({rule_counts(rej_c)}), {records - identical - alike} differ")
    for kind, count in sorted(kinds.items()):
        print(f"  DIFFERS {count}: {kind}")
    return compared


def rule_counts(rejects):
    counts = collections.Counter(r["rule"] for r in rejects.values())
    return ", ".join(f"{rule} {n}" for rule, n in sorted(counts.items())) or "none"


def tool_messages_per_line(shapes_dir):
    """How many results each line holds, from the tagged shape (one role "tool" message each)."""
    return [sum(m["role"] == "tool" for m in r["messages"])
            for r in read_jsonl(os.path.join(shapes_dir, "tool_role_tagged.jsonl"))]


def check_detect(chatfmt, shapes_dir, records, failures):
    """detect counts the new encodings on every readable record of the shape files, never on the canonical."""
    names = CANONICAL + list(NEW_ENCODINGS)
    paths = [os.path.join(shapes_dir, name + ".jsonl") for name in names]
    result = subprocess.run([chatfmt, "detect", "--json", "--threads", "2"] + paths, capture_output=True, text=True)
    if result.returncode not in (0, 1):
        failures.append(f"detect exited {result.returncode}: {result.stderr.strip()}")
        return
    try:
        files = json.loads(result.stdout)["files"]
    except (ValueError, KeyError, TypeError) as error:
        failures.append(f"detect --json printed no report ({error}): {result.stderr.strip()}")
        return
    reports = {os.path.basename(f["path"])[:-len(".jsonl")]: f for f in files}
    results_per_line = tool_messages_per_line(shapes_dir)
    new_names = set(NEW_ENCODINGS.values())
    for name in names:
        report = reports.get(name)
        if report is None:
            failures.append(f"detect: no report for {name}.jsonl")
            continue
        by_record, by_message = report.get("records_by_encoding", {}), report.get("messages_by_encoding", {})
        unreadable = {u["line"] for u in report.get("unknown", [])}
        readable = report["records"] - len(unreadable)
        results = sum(n for line, n in enumerate(results_per_line, 1) if line not in unreadable)
        if report["records"] != records:
            failures.append(f"{name}: {report['records']} records, the file has {records}")
        if name in CANONICAL:
            found = sorted(new_names & (set(by_record) | set(by_message)))
            if found:
                failures.append(f"{name}: the canonical file is counted as {', '.join(found)}")
            print(f"  detect {name}: records_by_encoding {json.dumps(by_record)}")
            continue
        encoding = NEW_ENCODINGS[name]
        if by_record.get(encoding, 0) != readable or readable == 0:
            failures.append(f"{name}: {by_record.get(encoding, 0)} records counted as {encoding}, "
                            f"expected every readable record ({readable}); records_by_encoding {json.dumps(by_record)}")
        # Each result is its own message in every new shape: one encoded message per result.
        if by_message.get(encoding, 0) != results:
            failures.append(f"{name}: {by_message.get(encoding, 0)} messages counted as {encoding}, "
                            f"expected one per result ({results})")
        print(f"  detect {name}: {by_record.get(encoding, 0)} of {readable} readable records and "
              f"{by_message.get(encoding, 0)} of {results} results counted as {encoding}")


def check_templates(chatfmt, shapes_dir, failures):
    """The shape files through every official template (run_differential.py's own figures)."""
    paths = [os.path.join(shapes_dir, name + ".jsonl") for name in NEW_ENCODINGS]
    result = subprocess.run([sys.executable, TEMPLATE_DIFFERENTIAL, chatfmt] + paths, capture_output=True, text=True)
    for line in result.stdout.splitlines():
        print("  " + line)
    if result.returncode != 0:
        failures.append(f"run_differential.py on the shape files failed (exit {result.returncode}; "
                        f"see its figures and FAIL lines above) {result.stderr.strip()}".rstrip())


def check_round_trip(chatfmt, shapes_dir, failures):
    """Each shape written as qwen3-xml reads back: written again it is the same text, and every
    target renders it as it renders the shape itself."""
    targets = targets_from_help(chatfmt)
    compared = 0
    for name in NEW_ENCODINGS:
        shape = os.path.join(shapes_dir, name + ".jsonl")
        with tempfile.TemporaryDirectory() as workdir:
            qwen, _ = convert(chatfmt, shape, "qwen3-xml", [], workdir)
            written = os.path.join(workdir, "written.jsonl")
            with open(written, "wb") as f:
                f.write(qwen)
            again, again_rejects = convert(chatfmt, written, "qwen3-xml", [], workdir)
            compared += 1
            if again != qwen or again_rejects:
                failures.append(f"{name}: qwen3-xml does not read back to the same text")
            for target in targets:
                for extra in [[]] + TARGET_VARIANTS.get(target, []):
                    direct, _ = convert(chatfmt, shape, target, extra, workdir)
                    via, _ = convert(chatfmt, written, target, extra, workdir)
                    compared += 1
                    if direct != via:
                        failures.append(f"{name} {target} {' '.join(extra)}: via qwen3-xml differs from direct")
        print(f"  {name}: qwen3-xml reads back; {len(targets)} targets the same via qwen3-xml")
    return compared


def run_shapes(chatfmt, inputs, failures):
    """Returns how many comparisons were made (0: nothing was checked); failures: lists by section."""
    with tempfile.TemporaryDirectory() as shapes_dir:
        generate(inputs, shapes_dir)
        records = count_records(os.path.join(shapes_dir, "canonical_messages.jsonl"))
        if records == 0:
            failures["convert"].append("the generator wrote no records")
            return 0
        print(f"shapes: {records} conversations with tool results in each of "
              f"{', '.join(CANONICAL + list(NEW_ENCODINGS))}")
        try:
            compared = check_targets(chatfmt, shapes_dir, records, failures["convert"])
        except ChatfmtFailed as error:
            failures["convert"].append(f"chatfmt convert failed: {error}")
            compared = 0
        print("detect --json:")
        check_detect(chatfmt, shapes_dir, records, failures["detect"])
        print("official templates (run_differential.py):")
        check_templates(chatfmt, shapes_dir, failures["templates"])
        print("round trip through qwen3-xml:")
        compared += check_round_trip(chatfmt, shapes_dir, failures["round trip"])
        return compared


# --------------------------------------------------------------------------------------------------
# Edge cases: (fixture line, what it shows, convert options, expectation). An expectation is the
# openai messages as (role, content) or (role, content, [call names]), or Rejected(rule, text the
# reason must contain).

Rejected = collections.namedtuple("Rejected", "rule reason_has")
Case = collections.namedtuple("Case", "line name options expect")

PREFIX_OFF = ["--tool-result-prefix", ""]
OBSERVATION = ["--tool-result-prefix", "Observation:"]
TOOL_CALLED_F = ("assistant", None, ["f"])
TOOL_CALLED_FG = ("assistant", None, ["f", "g"])
Q, DONE = ("user", "q"), ("assistant", "done")

EDGE_CASES = [
    Case(1, "prefixed turn after an assistant turn without calls stays a user turn", [],
         [("user", "What is 2+2?"), ("assistant", "4."), ("user", "Tool result: 4"), ("assistant", "Yes, 4.")]),
    Case(2, "prefixed turn after all calls are answered stays a user turn", [],
         [Q, TOOL_CALLED_F, ("tool", "a"), ("user", "Tool result: b"), DONE]),
    Case(3, "two calls, one prefixed turn", [], Rejected("tool-result-ambiguous", "--tool-result-prefix")),
    Case(4, "two calls, two prefixed turns", [], [Q, TOOL_CALLED_FG, ("tool", "a"), ("tool", "b"), DONE]),
    Case(5, "default prefix", [], [Q, TOOL_CALLED_F, ("tool", "x"), DONE]),
    Case(5, "--tool-result-prefix '' turns the prefix off", PREFIX_OFF, Rejected("call-without-result", "")),
    Case(5, "another prefix replaces the default", OBSERVATION, Rejected("call-without-result", "")),
    Case(6, "Observation: is no default prefix", [], Rejected("call-without-result", "")),
    Case(6, "a replacing prefix is read as a result", OBSERVATION, [Q, TOOL_CALLED_F, ("tool", "x"), DONE]),
    Case(7, "--tool-result-prefix is repeatable", OBSERVATION + ["--tool-result-prefix", "Tool result:"],
         [Q, TOOL_CALLED_FG, ("tool", "a"), ("tool", "b"), DONE]),
    Case(8, "role tool with two <tool_response> blocks", [], Rejected("tool-response-mixed", "")),
    Case(9, "role tool with text outside the tags", [], Rejected("tool-response-mixed", "")),
    Case(10, "no separator after the prefix", [], [Q, TOOL_CALLED_F, ("tool", "x"), DONE]),
    Case(11, "only one of two spaces is the separator", [], [Q, TOOL_CALLED_F, ("tool", " x"), DONE]),
    Case(12, "a newline separator; nothing else is stripped", [], [Q, TOOL_CALLED_F, ("tool", " x\n"), DONE]),
    Case(13, "Punie's code result keeps its indentation", [],
         [("user", "Write a hello world"), ("assistant", None, ["write_file"]),
          ("tool", "def main():\n    print('Hello')"), ("assistant", "Written.")]),
    Case(14, "tagged result loses exactly one newline each side", [], [Q, TOOL_CALLED_F, ("tool", "\nx\n"), DONE]),
    Case(15, "Punie's tagged result without inner newlines", [],
         [("user", "What type is x?"), ("assistant", None, ["execute_code"]),
          ("tool", "HoverResult(success=True, ...)"), ("assistant", "x is an int.")]),
    Case(16, "prefixed result in a ChatML record", [],
         [("user", "My BMI? 70 kg, 1.75 m"), ("assistant", None, ["calculate_bmi"]),
          ("tool", '{"bmi": 22.86}'), ("assistant", "Your BMI is 22.86.")]),
    Case(17, "ChatML: prefixed turn after an assistant turn without calls stays a user turn", [],
         [("user", "What is 2+2?"), ("assistant", "4."), ("user", "Tool result: 4"), ("assistant", "Yes, 4.")]),
]


def message_view(message):
    """What an expectation says about an openai message: role, content and the called names."""
    calls = message.get("tool_calls")
    if calls:
        return (message["role"], message.get("content"), [c["function"]["name"] for c in calls])
    return (message["role"], message.get("content"))


def pairing_error(messages):
    """Each tool message must carry the id of the next unanswered call, in call order."""
    pending = []
    for i, message in enumerate(messages):
        if message["role"] == "assistant":
            pending = [c["id"] for c in message.get("tool_calls") or []]
        elif message["role"] == "tool":
            if not pending or message.get("tool_call_id") != pending.pop(0):
                return f"messages[{i}]: tool_call_id {message.get('tool_call_id')!r} does not answer the next call"
    return None


def check_case(chatfmt, case, line_text, workdir):
    """Returns None when the case holds, else what went wrong."""
    source = os.path.join(workdir, "case.jsonl")
    with open(source, "w", encoding="utf-8") as f:
        f.write(line_text)
    try:
        output, rejects = convert(chatfmt, source, "openai", case.options, workdir)
    except ChatfmtFailed as error:
        return str(error)
    if isinstance(case.expect, Rejected):
        if 1 not in rejects:
            return f"converted, expected rejected {case.expect.rule}"
        reject = rejects[1]
        if reject["rule"] != case.expect.rule or case.expect.reason_has not in reject["reason"]:
            return f"rejected {reject['rule']} ({reject['reason']}), expected {case.expect.rule} " \
                   f"with {case.expect.reason_has!r} in the reason"
        return None
    if 1 in rejects:
        return f"rejected {rejects[1]['rule']} ({rejects[1]['reason']})"
    messages = json.loads(output)["messages"]
    got = [message_view(m) for m in messages]
    expected = [tuple(m) for m in case.expect]
    if got != expected:
        return f"messages differ\n    expected {expected!r}\n    got      {got!r}"
    return pairing_error(messages)


def run_edge_cases(chatfmt, fixture, failures):
    """Returns how many cases were checked."""
    with open(fixture, encoding="utf-8") as f:
        lines = [line for line in f if line.strip()]
    # A fixture line without an expectation would be a case that checks nothing.
    uncovered = sorted(set(range(1, len(lines) + 1)) - {case.line for case in EDGE_CASES})
    if uncovered:
        failures.append(f"{fixture}: lines without an expectation: {uncovered}")
    passed = 0
    with tempfile.TemporaryDirectory() as workdir:
        for case in EDGE_CASES:
            if case.line > len(lines):
                failures.append(f"line {case.line} ({case.name}): the fixture has no such line")
                continue
            error = check_case(chatfmt, case, lines[case.line - 1], workdir)
            options = " ".join(repr(o) if not o or " " in o else o for o in case.options)
            label = f"line {case.line} {options + ' ' if options else ''}({case.name})"
            if error:
                failures.append(f"{label}: {error}")
            else:
                passed += 1
    print(f"edge cases: {passed} of {len(EDGE_CASES)} hold")
    return len(EDGE_CASES)


def report(section, failures):
    """A few failures of a section: one part's mass of differences must not hide another's."""
    for failure in failures[:MAX_EXAMPLES]:
        print(f"FAIL {section}: {failure}")
    if len(failures) > MAX_EXAMPLES:
        print(f"... and {len(failures) - MAX_EXAMPLES} more {section} failures")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chatfmt")
    parser.add_argument("inputs", nargs="*", help="JSONL files of real records (default: the generator's, data/samples)")
    parser.add_argument("--only", choices=["shapes", "edge-cases"], help="run one part only")
    parser.add_argument("--edge-cases", default=EDGE_CASES_FILE, help="the edge-case fixture (line numbers as in EDGE_CASES)")
    args = parser.parse_args()
    failures = collections.defaultdict(list)  # section -> failures, reported in this order
    checked = 0
    if args.only in (None, "shapes"):
        checked += run_shapes(args.chatfmt, args.inputs, failures)
    if args.only in (None, "edge-cases"):
        checked += run_edge_cases(args.chatfmt, args.edge_cases, failures["edge cases"])
    for section, section_failures in failures.items():
        report(section, section_failures)
    failed = sum(len(f) for f in failures.values())
    print(f"{checked} comparisons and cases checked, {failed} failed")
    return 1 if failed or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
