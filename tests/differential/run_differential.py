#!/usr/bin/env python3
"""Differential test: chatfmt's own target output against the official chat templates.

For every input set and every target, chatfmt converts the input twice: to `openai` (structured
messages) and to the target. The `openai` records are rendered through the target's official
template (tools/oracle/render_chat_template.py, transformers' semantics) and must equal chatfmt's
target text byte for byte. Where chatfmt rejects a record for a target rule, the template must
raise for it too, and where the template raises, chatfmt must have rejected. Records rejected
before writing (unreadable input, broken call/result links) must be rejected for every target.

  run_differential.py CHATFMT INPUT [INPUT ...] [--extra-args "..."] [--report FILE]

Exit status 0 when every record of every target agrees, 1 otherwise.
"""
import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ORACLE = os.path.join(ROOT, "tools", "oracle", "render_chat_template.py")
TEMPLATES = os.path.join(ROOT, "tests", "reference", "mistral-common", "chat_templates")
QWEN_TEMPLATE = os.path.join(ROOT, "tests", "reference", "qwen3-coder", "chat_template.jinja")

# target -> (template, argument modes the template is rendered with, extra chatfmt args, oracle args)
# v3 and v7 are rendered with arguments as JSON strings only (the OpenAI shape): given objects,
# their `'{"name": "' + arguments|tojson|safe` makes Jinja's Markup HTML-escape the literal
# quotes (&#34;), which mistral-common itself never renders (docs/formats.md, "Template quirks").
TARGETS = [
    ("mistral-v3", os.path.join(TEMPLATES, "v3.jinja"), ["string"], [], []),
    ("mistral-v3", os.path.join(TEMPLATES, "v3.jinja"), ["string"], ["--drop-text-with-tool-calls"],
     ["--drop-text-with-tool-calls"]),
    ("mistral-v7", os.path.join(TEMPLATES, "v7.jinja"), ["string"], [], []),
    ("mistral-v11", os.path.join(TEMPLATES, "v11.jinja"), ["string", "object"], [], []),
    ("mistral-v13", os.path.join(TEMPLATES, "v13.jinja"), ["string", "object"], [], []),
    ("devstral-small-2", os.path.join(TEMPLATES, "v13.jinja"), ["object"], [], []),
    ("mistral-v15", os.path.join(TEMPLATES, "v15.jinja"), ["string", "object"], [], []),
    # Qwen3-Coder's template iterates arguments with |items: it needs objects.
    ("qwen3-xml", QWEN_TEMPLATE, ["object"], [], []),
]


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def source_lines(path):
    """Line numbers of the records (non-blank lines) of an input file."""
    with open(path, "rb") as f:
        return [n for n, line in enumerate(f, 1) if line.strip()]


def convert(chatfmt, source, target, workdir, name, extra):
    out = os.path.join(workdir, name + ".jsonl")
    rejects = os.path.join(workdir, name + ".rejects.jsonl")
    cmd = [chatfmt, "convert", source, "-o", out, "--rejects", rejects, "--to", target, "--quiet", "--threads", "2"]
    result = subprocess.run(cmd + extra, capture_output=True, text=True)
    if result.returncode not in (0, 1):
        sys.exit(f"chatfmt failed ({result.returncode}): {shlex.join(cmd + extra)}\n{result.stderr}")
    return read_jsonl(out), {r["line"]: r for r in read_jsonl(rejects)}


def render(openai_path, template, mode, oracle_args):
    cmd = ["/usr/bin/python3", ORACLE, template, "--arguments", mode] + oracle_args
    with open(openai_path, "rb") as f:
        result = subprocess.run(cmd, stdin=f, capture_output=True)
    if result.returncode != 0:
        sys.exit(f"oracle failed: {shlex.join(cmd)}\n{result.stderr.decode()}")
    return [json.loads(line) for line in result.stdout.decode("utf-8").split("\n") if line.strip()]


def check_input(chatfmt, source, extra, workdir, failures, summary):
    lines = source_lines(source)
    openai_records, openai_rejects = convert(chatfmt, source, "openai", workdir, "openai", extra)
    openai_path = os.path.join(workdir, "openai.jsonl")
    for target, template, modes, target_args, oracle_args in TARGETS:
        label = target + ("" if not target_args else " " + " ".join(target_args))
        ours, our_rejects = convert(chatfmt, source, target, workdir, "target", extra + target_args)
        renders = {mode: render(openai_path, template, mode, oracle_args) for mode in modes}
        stats = {"equal": 0, "both_refuse": 0, "rejected_before_writing": 0}
        ours_iter = iter(ours)
        openai_index = 0
        for line in lines:
            where = f"{source}:{line} [{label}]"
            if line in openai_rejects:
                if line not in our_rejects:
                    failures.append(f"{where}: rejected for openai ({openai_rejects[line]['rule']}) but not here")
                    next(ours_iter, None)
                else:
                    stats["rejected_before_writing"] += 1
                continue
            oracle = {mode: renders[mode][openai_index] for mode in modes}
            openai_index += 1
            if line in our_rejects:
                refusing = [m for m in modes if "error" in oracle[m]]
                if len(refusing) != len(modes):
                    failures.append(f"{where}: chatfmt rejects ({our_rejects[line]['reason']}) but the template "
                                    f"renders it")
                elif our_rejects[line]["rule"] != "template-rule":
                    failures.append(f"{where}: template refuses, chatfmt rejects for another rule "
                                    f"({our_rejects[line]['rule']})")
                else:
                    stats["both_refuse"] += 1
                continue
            mine = next(ours_iter, None)
            for mode in modes:
                if "error" in oracle[mode]:
                    failures.append(f"{where}: the template refuses ({oracle[mode]['error']}) but chatfmt wrote it")
                elif mine is None or mine.get("text") != oracle[mode]["text"]:
                    failures.append(f"{where} (arguments as {mode}): text differs\n  template: "
                                    f"{oracle[mode]['text']!r}\n  chatfmt:  {None if mine is None else mine.get('text')!r}")
            stats["equal"] += 1
        summary.append((source, label, stats))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chatfmt")
    parser.add_argument("inputs", nargs="+", help=".jsonl files, or sample.json files (one JSON document each)")
    parser.add_argument("--extra-args", default="", help="more chatfmt convert arguments for every run")
    args = parser.parse_args()
    failures, summary = [], []
    with tempfile.TemporaryDirectory() as workdir:
        for source in args.inputs:
            if source.endswith(".json"):
                # A reference sample: one JSON document, turned into a one-line JSONL file.
                with open(source, encoding="utf-8") as f:
                    record = json.load(f)
                name = os.path.basename(os.path.dirname(source)) + ".jsonl"
                jsonl = os.path.join(workdir, name)
                with open(jsonl, "w", encoding="utf-8") as f:
                    f.write(json.dumps(record, ensure_ascii=False) + "\n")
                source = jsonl
            check_input(args.chatfmt, source, shlex.split(args.extra_args), workdir, failures, summary)
    for source, label, stats in summary:
        print(f"{os.path.basename(source)} {label}: {stats['equal']} byte-identical, {stats['both_refuse']} refused by "
              f"both, {stats['rejected_before_writing']} rejected before writing")
    for failure in failures[:20]:
        print("FAIL " + failure)
    checked = sum(s["equal"] + s["both_refuse"] for _, _, s in summary)
    print(f"{checked - len(failures) if checked >= len(failures) else 0} passed, {len(failures)} failed")
    return 1 if failures or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
