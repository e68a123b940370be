#!/usr/bin/env python3
"""Differential test of lint's template-drift rule against the official Qwen3-Coder template.

For every record of the inputs, the official template (tools/oracle/render_chat_template.py,
transformers' semantics) renders two things: the record's messages exactly as written (what a
trainer that applies the template to this data trains on), and the same conversation parsed
(chatfmt convert --to openai --no-tools: calls and results as structure, which is what the model
is served). The records where the two texts differ must be exactly the records `chatfmt lint
--template qwen3-coder` reports under template-drift, and each finding's "at byte N" must be where
the two texts first differ.

  run_lint_drift.py CHATFMT DATASET_DIR

Exit status 0 when they agree, 1 otherwise.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ORACLE = os.path.join(ROOT, "tools", "oracle", "render_chat_template.py")
TEMPLATE = os.path.join(ROOT, "tests", "reference", "qwen3-coder", "chat_template.jinja")


def render(records, arguments):
    feed = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    result = subprocess.run([sys.executable, ORACLE, TEMPLATE, "--arguments", arguments], input=feed,
                            capture_output=True, text=True, check=True)
    return [json.loads(line) for line in result.stdout.splitlines()]


def first_difference(a, b):
    n = 0
    while n < len(a) and n < len(b) and a[n] == b[n]:
        n += 1
    return n


def main():
    chatfmt, dataset = sys.argv[1], sys.argv[2]
    failures = []
    with tempfile.TemporaryDirectory(prefix="chatfmt-drift-") as tmp:
        converted = os.path.join(tmp, "openai")
        subprocess.run([chatfmt, "convert", dataset, "-o", converted, "--to", "openai", "--no-tools", "-q"],
                       capture_output=True, check=False)
        rejects_path = converted + ".rejects.jsonl"
        rejected = set()
        if os.path.exists(rejects_path):
            with open(rejects_path, encoding="utf-8") as f:
                rejected = {(os.path.basename(r["path"]), r["line"]) for r in map(json.loads, f)}
        expected = {}
        checked = 0
        for name in sorted(os.listdir(dataset)):
            if not name.endswith(".jsonl"):
                continue
            with open(os.path.join(dataset, name), encoding="utf-8") as f:
                originals = [(n, json.loads(line)) for n, line in enumerate(f, 1) if line.strip()]
            kept = [(n, record) for n, record in originals if (name, n) not in rejected]
            with open(os.path.join(converted, name), encoding="utf-8") as f:
                parsed = [json.loads(line) for line in f]
            assert len(parsed) == len(kept), (name, len(parsed), len(kept))
            own = render([record for _, record in kept], "string")
            served = render(parsed, "object")
            for (n, _), own_text, served_text in zip(kept, own, served):
                if "text" not in own_text or "text" not in served_text:
                    failures.append(f"{name}:{n}: the template refused a rendering: {own_text} {served_text}")
                    continue
                checked += 1
                if own_text["text"] != served_text["text"]:
                    expected[(name, n)] = first_difference(served_text["text"], own_text["text"])

        report = json.loads(subprocess.run(
            [chatfmt, "lint", dataset, "--template", "qwen3-coder", "--select", "template-drift", "--format", "json",
             "-q"], capture_output=True, text=True, check=False).stdout)
        found = {}
        for finding in report["findings"]:
            at = re.search(r"at byte (\d+)", finding["message"])
            found[(os.path.basename(finding["path"]), finding["line"])] = int(at.group(1)) if at else None

    for key in sorted(set(expected) | set(found)):
        if key not in found:
            failures.append(f"{key[0]}:{key[1]}: the template's renderings differ at byte {expected[key]}; lint says nothing")
        elif key not in expected:
            failures.append(f"{key[0]}:{key[1]}: lint reports drift; the template renders both alike")
        elif expected[key] != found[key]:
            failures.append(f"{key[0]}:{key[1]}: first difference at byte {expected[key]}, lint says {found[key]}")
    print(f"{checked} records rendered both ways by the official template; {len(expected)} differ; "
          f"lint reports {len(found)}; {len(failures)} disagreements")
    for failure in failures[:20]:
        print("  " + failure)
    return 1 if failures or checked == 0 or not expected else 0


if __name__ == "__main__":
    sys.exit(main())
