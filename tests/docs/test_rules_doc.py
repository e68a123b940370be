"""docs/rules.md's examples are measurements: each rule's bad dataset gets the finding the doc shows,
and its fixed dataset does not; the severity each section states is the rule table's.

Run by CTest with CHATFMT (the binary) and CHATFMT_ROOT (the repository) in the environment.
"""
import json
import os
import re
import subprocess
import tempfile
import unittest

CHATFMT = os.environ.get("CHATFMT", "chatfmt")
ROOT = os.environ.get("CHATFMT_ROOT", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
DOC = os.path.join(ROOT, "docs", "rules.md")

# Rules no dataset can provoke through lint, each with its reason; the test fails when one gets an
# example (remove it here) or when a rule is neither here nor exemplified.
WITHOUT_EXAMPLE = {
    "internal-error": "a bug in chatfmt: no valid input is meant to cause it",
    "no-text-target": "tokens asks a target for text; lint never does",
}


def sections():
    with open(DOC, encoding="utf-8") as f:
        text = f.read()
    parts = re.split(r"^### ([STFDQL]\d{3}) ([a-z0-9-]+)\n", text, flags=re.M)
    found = {}
    for k in range(1, len(parts), 3):
        code, rule, body = parts[k], parts[k + 1], parts[k + 2]
        options = re.search(r"^lint options: `([^`]*)`", body, flags=re.M)
        fix_options = re.search(r"^lint options for the fix: `([^`]*)`", body, flags=re.M)
        blocks = re.findall(r"^```jsonl (bad|fix) (\w+)\n(.*?)\n```", body, flags=re.M | re.S)
        severity = re.search(r"Default severity: \*\*(\w+)\*\*", body)
        said = re.search(r"^lint says:\n+```text\n(.*?)\n```", body, flags=re.M | re.S)
        found[rule] = {"code": code, "options": options.group(1).split() if options else [], "blocks": blocks,
                       "fix_options": fix_options.group(1).split() if fix_options else None,
                       "severity": severity.group(1) if severity else None, "said": said.group(1) if said else None}
    return found


def listed_rules():
    out = subprocess.run([CHATFMT, "lint", "--list-rules"], capture_output=True, text=True, check=True).stdout
    return {line.split()[1]: (line.split()[0], line.split()[2]) for line in out.splitlines()}


def lint_blocks(blocks, kind, options, rule):
    with tempfile.TemporaryDirectory() as tmp:
        dataset = os.path.join(tmp, "dataset")
        os.mkdir(dataset)
        files = {}
        for block_kind, split, content in blocks:
            if block_kind == kind:
                files.setdefault(split, []).append(content)
        for split, contents in files.items():
            with open(os.path.join(dataset, split + ".jsonl"), "w", encoding="utf-8") as f:
                f.write("".join(c + "\n" for c in contents))
        options = [os.path.join(ROOT, o) if o.startswith(("schemas/", "tests/")) else o for o in options]
        text = subprocess.run([CHATFMT, "lint", "dataset", "-q", "--select", rule, *options], cwd=tmp,
                              capture_output=True, text=True)
        report = subprocess.run([CHATFMT, "lint", "dataset", "-q", "--select", rule, "--format", "json", *options],
                                cwd=tmp, capture_output=True, text=True)
        return text.stdout, json.loads(report.stdout)


class RulesDoc(unittest.TestCase):
    def test_every_rule_has_an_example_or_a_listed_reason(self):
        documented = sections()
        for rule in listed_rules():
            if rule in WITHOUT_EXAMPLE:
                self.assertNotIn(rule, documented, f"{rule} has an example now: take it off the lists here")
            else:
                self.assertIn(rule, documented, f"{rule} has no example in docs/rules.md")

    def test_each_example_is_found_as_shown_and_its_fix_is_clean(self):
        table = listed_rules()
        for rule, section in sections().items():
            with self.subTest(rule=rule):
                code, severity = table[rule]
                self.assertEqual((section["code"], section["severity"]), (code, severity))
                self.assertTrue(any(kind == "bad" for kind, _, _ in section["blocks"]))
                self.assertTrue(any(kind == "fix" for kind, _, _ in section["blocks"]))
                text, report = lint_blocks(section["blocks"], "bad", section["options"], rule)
                self.assertIn(rule, [f["rule"] for f in report["findings"]])
                self.assertIn(section["said"], text)
                fix_options = section["fix_options"] if section["fix_options"] is not None else section["options"]
                _, report = lint_blocks(section["blocks"], "fix", fix_options, rule)
                self.assertEqual([f for f in report["findings"] if f["rule"] == rule], [])


if __name__ == "__main__":
    unittest.main()
